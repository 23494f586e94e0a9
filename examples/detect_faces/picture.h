#pragma once
// Pictures for the example: the drawn face of --demo, and detections drawn
// onto an image. Images are [1, H, W, 3] float tensors with RGB values in
// [0, 1], as image_filter's read_image and write_rgb use them.
#include <minitf/minitf.h>

#include "blazeface.h"

namespace faces {

// A cartoon face, the same every time: a shaded skin-coloured oval with hair,
// ears and neck, two eyes with brows, a nose shadow and a mouth, on a plain
// background. `width` x `height` pixels, each value a multiple of 1/255.
tf::Tensor demo_face(int width, int height);

// Draws a face (in image pixels) onto `image`: its box as a 2-pixel green
// rectangle, its keypoints as red dots.
void draw_face(tf::Tensor& image, const Face& face);

}  // namespace faces
