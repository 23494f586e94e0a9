#pragma once
// Pictures in and out of the demo: built-in test images, files read with stb,
// and feature maps written as a PNG grid.
#include <string>

#include <minitf/minitf.h>

namespace demo {

namespace tf = minitf;

// An RGB image as a [1, H, W, 3] float tensor with values in [0, 1].
tf::Tensor builtin_image(int which, int size);
// Reads PNG, JPEG, PPM, ... (what stb_image reads); throws tf::NotFoundError
// when the file is missing and tf::DataLossError when it cannot be decoded.
tf::Tensor read_image(const std::string& path);
// The tutorial's filter takes 32 channels: channel c repeats colour c % 3.
tf::Tensor to_channels(const tf::Tensor& rgb, int channels);
// Writes every channel of a [1, H, W, C] tensor as one tile of a grid, each
// tile scaled to its own min..max, with a 1-pixel border between tiles.
void write_feature_grid(const tf::Tensor& maps, const std::string& path);
// Writes the RGB image itself.
void write_rgb(const tf::Tensor& rgb, const std::string& path);

}  // namespace demo
