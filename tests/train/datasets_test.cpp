// IDX files (raw and gzipped, hostile ones too), Fashion-MNIST, Batches and slice.
#include <minitf/train/datasets.h>
#include <sys/resource.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <set>

#include "checkpoint_files.h"
#include "test_util.h"

namespace {

using checkpoint_files::TempDir;
using checkpoint_files::write_bytes;
namespace ds = tf::datasets;

// An IDX header: 00 00, the type code, the dims' count, then each dim as a big-endian u32.
std::string idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  std::string h{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift : {24, 16, 8, 0}) h += static_cast<char>(d >> shift);
  }
  return h;
}

std::string ubyte_idx(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  return idx_header(0x08, dims) + std::string(data.begin(), data.end());
}

// One gzip member holding `bytes`.
std::string gzip(const std::string& bytes) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(bytes.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::vector<int32_t> ints(const tf::Tensor& t) {
  return {t.data<int32_t>().begin(), t.data<int32_t>().end()};
}

long max_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A set of n rows whose images [n, 2, 2, 1] hold their row index, and labels the index too.
ds::ImageSet indexed_set(int64_t n) {
  ds::ImageSet s{tf::Tensor(tf::float32, {n, 2, 2, 1}), tf::Tensor(tf::int32, {n})};
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 4; ++k) s.images.data<float>()[static_cast<size_t>(4 * i + k)] = float(i);
    s.labels.data<int32_t>()[static_cast<size_t>(i)] = static_cast<int32_t>(i);
  }
  return s;
}

// Every label of one epoch, batch by batch.
std::vector<std::vector<int32_t>> epoch(ds::Batches& b) {
  std::vector<std::vector<int32_t>> out;
  tf::Tensor images, labels;
  while (b.next(images, labels)) {
    REQUIRE(images.shape().dim(0) == labels.shape().dim(0));
    for (int64_t i = 0; i < labels.num_elements(); ++i) {
      REQUIRE(images.data<float>()[static_cast<size_t>(4 * i)] == float(labels.data<int32_t>()[i]));
    }
    out.push_back(ints(labels));
  }
  return out;
}

}  // namespace

TEST_CASE("read_idx reads raw and gzipped IDX files of every integer and float type") {
  TempDir dir;
  const std::vector<uint8_t> bytes = {0, 1, 2, 127, 128, 255, 9, 8, 7, 6, 5, 4};
  const std::string raw = ubyte_idx({2, 3, 2}, bytes);
  write_bytes(dir.file("a.idx"), raw);
  write_bytes(dir.file("a.idx.gz"), gzip(raw));
  // Two gzip members, as `cat a.gz b.gz` makes, split inside the header.
  write_bytes(dir.file("two.gz"), gzip(raw.substr(0, 7)) + gzip(raw.substr(7)));
  for (const char* name : {"a.idx", "a.idx.gz", "two.gz"}) {
    INFO(name);
    const tf::Tensor t = ds::read_idx(dir.file(name));
    CHECK(t.dtype() == tf::int32);
    CHECK(t.shape() == tf::Shape{2, 3, 2});
    CHECK(ints(t) == std::vector<int32_t>(bytes.begin(), bytes.end()));
  }
  write_bytes(dir.file("s"), idx_header(0x09, {3}) + std::string{'\x01', '\x80', '\xff'});
  CHECK(ints(ds::read_idx(dir.file("s"))) == std::vector<int32_t>{1, -128, -1});
  write_bytes(dir.file("h"), idx_header(0x0B, {2}) + std::string{'\x01', '\x02', '\xff', '\xfe'});
  CHECK(ints(ds::read_idx(dir.file("h"))) == std::vector<int32_t>{258, -2});
  write_bytes(dir.file("i"), idx_header(0x0C, {1, 1}) + std::string{'\x80', '\0', '\0', '\x01'});
  const tf::Tensor i = ds::read_idx(dir.file("i"));
  CHECK(i.shape() == tf::Shape{1, 1});
  CHECK(ints(i) == std::vector<int32_t>{INT32_MIN + 1});
  write_bytes(dir.file("f"), gzip(idx_header(0x0D, {2}) +
                                  std::string{'\x3f', '\xc0', '\0', '\0', '\xc1', '\x20', '\0', '\0'}));
  const tf::Tensor f = ds::read_idx(dir.file("f"));
  CHECK(f.dtype() == tf::float32);
  CHECK(values(f) == std::vector<float>{1.5f, -10.f});
  write_bytes(dir.file("empty"), ubyte_idx({0, 28, 28}, {}));
  CHECK(ds::read_idx(dir.file("empty")).shape() == tf::Shape{0, 28, 28});
  write_bytes(dir.file("scalar"), ubyte_idx({}, {42}));
  CHECK(ints(ds::read_idx(dir.file("scalar"))) == std::vector<int32_t>{42});
}

TEST_CASE("read_idx refuses hostile files with DataLossError naming the file and the fault") {
  TempDir dir;
  const std::string good = ubyte_idx({4, 5}, std::vector<uint8_t>(20, 7));
  const std::string gz = gzip(good);
  struct Row {
    std::string name, bytes, message;
  };
  std::string corrupt = gz;
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] = static_cast<char>(bad_crc[bad_crc.size() - 6] ^ 1);
  const std::vector<Row> table = {
      {"empty", "", "ends inside its header, after 0 bytes"},
      {"short_header", good.substr(0, 6), "ends inside its header, after 6 bytes"},
      {"bad_magic", "\x01" + good.substr(1), "has bad magic bytes 01 00 08 02"},
      {"bad_type", idx_header(0x07, {1}) + "x", "has bad magic bytes 00 00 07 01"},
      {"five_dims", idx_header(0x08, {1, 1, 1, 1, 1}) + "x", "has 5 dimensions; at most 4 are supported"},
      {"overflow", idx_header(0x0C, {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}),
       "claims dims [4294967295,4294967295,4294967295,4294967295] of 4-byte elements, more than the "
       "1073741824 bytes a file may hold"},
      {"overflow_then_zero", idx_header(0x08, {0xffffffff, 0xffffffff, 0}),
       "claims dims [4294967295,4294967295,0] of 1-byte elements, more than the 1073741824 bytes"},
      {"four_gib", gzip(idx_header(0x08, {65536, 65536}) + "abc"),
       "claims dims [65536,65536] of 1-byte elements, more than the 1073741824 bytes"},
      {"short_data", good.substr(0, good.size() - 3),
       "is truncated: its dims [4,5] call for 20 bytes of data, it has 17"},
      {"long_data", good + "zz", "has more data than its dims [4,5] call for (20 bytes)"},
      {"truncated_gz", gz.substr(0, gz.size() / 2), "is a truncated gzip stream"},
      {"gz_no_trailer", gz.substr(0, gz.size() - 4), "is a truncated gzip stream"},
      {"corrupt_gz", corrupt, "IDX file "},
      {"bad_crc", bad_crc, "has a corrupt gzip stream (incorrect data check)"},
      {"gz_then_garbage", gz + "garbage!", "has a corrupt gzip stream"},
      {"bomb", gzip(ubyte_idx({100}, std::vector<uint8_t>(size_t{64} << 20, 0))),
       "has more data than its dims [100]"},
  };
  for (const auto& row : table) {
    INFO(row.name);
    write_bytes(dir.file(row.name), row.bytes);
    REQUIRE_THROWS_MATCHES(ds::read_idx(dir.file(row.name)), tf::DataLossError,
                           Has("IDX file " + dir.file(row.name) + " ") && Has(row.message));
  }
  write_bytes(dir.file("double"), idx_header(0x0E, {1}) + std::string(8, '\0'));
  REQUIRE_THROWS_MATCHES(ds::read_idx(dir.file("double")), tf::UnimplementedError, Has("holds doubles"));
  REQUIRE_THROWS_MATCHES(ds::read_idx(dir.file("missing")), tf::NotFoundError,
                         Has("IDX file not found: " + dir.file("missing")));
  REQUIRE_THROWS_MATCHES(ds::read_idx(dir.path.string()), tf::FailedPreconditionError,
                         Has("is not a regular file"));
}

TEST_CASE("read_idx allocates for the data that arrives, not for what a header claims") {
  TempDir dir;
  // 1 GiB claimed (the limit), 16 bytes present, raw and gzipped.
  write_bytes(dir.file("raw"), idx_header(0x08, {1024, 1024, 1024}) + std::string(16, 'x'));
  write_bytes(dir.file("gz"), gzip(idx_header(0x08, {1024, 1024, 1024}) + std::string(16, 'x')));
  const long before = max_rss_kb();
  for (const char* name : {"raw", "gz"}) {
    REQUIRE_THROWS_MATCHES(
        ds::read_idx(dir.file(name)), tf::DataLossError,
        Has("is truncated: its dims [1024,1024,1024] call for 1073741824 bytes of data, it has 16"));
  }
  CHECK(max_rss_kb() - before < 64 * 1024);
}

TEST_CASE("fashion_mnist::load_data on hand-made files: scaling, shapes and its checks") {
  TempDir dir;
  auto images = [](uint32_t n) {
    std::vector<uint8_t> px(size_t{n} * 784);
    for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(i * 7);
    return gzip(ubyte_idx({n, 28, 28}, px));
  };
  write_bytes(dir.file("train-images-idx3-ubyte.gz"), images(5));
  write_bytes(dir.file("train-labels-idx1-ubyte.gz"), gzip(ubyte_idx({5}, {9, 0, 3, 9, 1})));
  write_bytes(dir.file("t10k-images-idx3-ubyte.gz"), images(3));
  write_bytes(dir.file("t10k-labels-idx1-ubyte.gz"), ubyte_idx({3}, {2, 2, 8}));  // raw works too
  const ds::FashionMnist data = ds::fashion_mnist::load_data(dir.path.string());
  CHECK(data.train.images.shape() == tf::Shape{5, 28, 28, 1});
  CHECK(data.train.images.dtype() == tf::float32);
  CHECK(ints(data.train.labels) == std::vector<int32_t>{9, 0, 3, 9, 1});
  CHECK(data.test.images.shape() == tf::Shape{3, 28, 28, 1});
  CHECK(ints(data.test.labels) == std::vector<int32_t>{2, 2, 8});
  const auto px = data.test.images.data<float>();
  size_t wrong = 0;
  for (size_t i = 0; i < px.size(); ++i)
    wrong += px[i] != static_cast<float>(static_cast<uint8_t>(i * 7) / 255.0);
  CHECK(wrong == 0);
  CHECK(px[73] == 1.f);  // 73 * 7 = 511: byte 255
  SECTION("a label of 10") {
    write_bytes(dir.file("train-labels-idx1-ubyte.gz"), gzip(ubyte_idx({5}, {9, 0, 10, 9, 1})));
    REQUIRE_THROWS_MATCHES(ds::fashion_mnist::load_data(dir.path.string()), tf::DataLossError,
                           Has(dir.file("train-labels-idx1-ubyte.gz") + " has label 10 at index 2"));
  }
  SECTION("images that are not 28x28") {
    write_bytes(dir.file("t10k-images-idx3-ubyte.gz"),
                gzip(ubyte_idx({3, 28, 27}, std::vector<uint8_t>(3 * 28 * 27))));
    REQUIRE_THROWS_MATCHES(
        ds::fashion_mnist::load_data(dir.path.string()), tf::DataLossError,
        Has(dir.file("t10k-images-idx3-ubyte.gz") + " is not 28x28 unsigned-byte images") &&
            Has("dims [3,28,27]"));
  }
  SECTION("a label count that is not the image count") {
    write_bytes(dir.file("t10k-labels-idx1-ubyte.gz"), ubyte_idx({4}, {2, 2, 8, 1}));
    REQUIRE_THROWS_MATCHES(
        ds::fashion_mnist::load_data(dir.path.string()), tf::DataLossError,
        Has(dir.file("t10k-labels-idx1-ubyte.gz") + " is not one unsigned-byte label per image"));
  }
  SECTION("a missing file") {
    std::filesystem::remove(dir.file("t10k-labels-idx1-ubyte.gz"));
    REQUIRE_THROWS_MATCHES(
        ds::fashion_mnist::load_data(dir.path.string()), tf::NotFoundError,
        Has("Fashion-MNIST file " + dir.file("t10k-labels-idx1-ubyte.gz") + " not found") &&
            Has("apt install dataset-fashion-mnist"));
  }
}

TEST_CASE("fashion_mnist::load_data reads Debian's dataset-fashion-mnist") {
  const std::string probe = std::string(ds::fashion_mnist::kDefaultDir) + "/train-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(probe)) {
    WARN("dataset-fashion-mnist is not installed (tools/setup.sh installs it); skipped");
    return;
  }
  const ds::FashionMnist data = ds::fashion_mnist::load_data();
  CHECK(data.train.images.shape() == tf::Shape{60000, 28, 28, 1});
  CHECK(data.train.labels.shape() == tf::Shape{60000});
  CHECK(data.test.images.shape() == tf::Shape{10000, 28, 28, 1});
  CHECK(data.test.labels.shape() == tf::Shape{10000});
  // The files' first labels, and ten balanced classes.
  const auto train = ints(data.train.labels), test = ints(data.test.labels);
  CHECK(std::vector<int32_t>(train.begin(), train.begin() + 10) ==
        std::vector<int32_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5});
  CHECK(std::vector<int32_t>(test.begin(), test.begin() + 10) ==
        std::vector<int32_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
  for (int32_t c = 0; c < 10; ++c) {
    CHECK(std::count(train.begin(), train.end(), c) == 6000);
    CHECK(std::count(test.begin(), test.end(), c) == 1000);
  }
  // The images are the file's bytes / 255.
  const tf::Tensor raw =
      ds::read_idx(std::string(ds::fashion_mnist::kDefaultDir) + "/t10k-images-idx3-ubyte.gz");
  REQUIRE(raw.shape() == tf::Shape{10000, 28, 28});
  const auto x = data.test.images.data<float>();
  const auto bytes = raw.data<int32_t>();
  size_t wrong = 0;
  for (size_t i = 0; i < x.size(); ++i) wrong += x[i] != static_cast<float>(bytes[i] / 255.0);
  CHECK(wrong == 0);
  int64_t first = 0;
  for (size_t i = 0; i < 784; ++i) first += raw.data<int32_t>()[i];
  CHECK(first == 33456);
  CHECK(*std::max_element(x.begin(), x.end()) == 1.f);
  CHECK(*std::min_element(x.begin(), x.end()) == 0.f);
}

TEST_CASE("Batches: seeded, every row once per epoch, drop_remainder") {
  const ds::ImageSet set = indexed_set(10);
  SECTION("drop_remainder: three batches of 3, the tenth row left out") {
    ds::Batches b(set, 3, 42);
    CHECK(b.batches_per_epoch() == 3);
    for (int e = 0; e < 3; ++e) {
      const auto batches = epoch(b);
      REQUIRE(batches.size() == 3);
      std::set<int32_t> seen;
      for (const auto& batch : batches) {
        CHECK(batch.size() == 3);
        seen.insert(batch.begin(), batch.end());
      }
      CHECK(seen.size() == 9);
    }
  }
  SECTION("without drop_remainder: every row once, the last batch smaller") {
    ds::Batches b(set, 3, 42, false);
    CHECK(b.batches_per_epoch() == 4);
    std::vector<std::vector<int32_t>> epochs;
    for (int e = 0; e < 4; ++e) {
      const auto batches = epoch(b);
      REQUIRE(batches.size() == 4);
      CHECK(batches.back().size() == 1);
      std::vector<int32_t> all;
      for (const auto& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
      epochs.push_back(all);
      std::sort(all.begin(), all.end());
      std::vector<int32_t> want(10);
      std::iota(want.begin(), want.end(), 0);
      CHECK(all == want);
    }
    CHECK(epochs[0] != epochs[1]);  // a new permutation each epoch
    CHECK(epochs[1] != epochs[2]);
  }
  SECTION("the same seed gives the same batches; another seed others") {
    ds::Batches a(set, 4, 7), b(set, 4, 7), c(set, 4, 8);
    for (int e = 0; e < 3; ++e) {
      const auto ea = epoch(a), eb = epoch(b), ec = epoch(c);
      CHECK(ea == eb);
      CHECK(ea != ec);
    }
  }
  SECTION("the order is fixed for a seed on every machine") {
    ds::Batches b(set, 10, 1);
    const auto first = epoch(b);
    REQUIRE(first.size() == 1);
    // mt19937_64 is the same everywhere, and Batches draws its own bounded integers.
    CHECK(first[0] == std::vector<int32_t>{1, 7, 3, 9, 4, 0, 5, 2, 6, 8});
  }
  SECTION("a batch larger than the set") {
    ds::Batches drop(set, 11, 1);
    CHECK(drop.batches_per_epoch() == 0);
    CHECK(epoch(drop).empty());
    ds::Batches keep(set, 11, 1, false);
    CHECK(epoch(keep).size() == 1);
  }
  SECTION("bad arguments") {
    REQUIRE_THROWS_MATCHES(ds::Batches(set, 0, 1), tf::InvalidArgumentError,
                           Has("batch_size must be at least 1, got 0"));
    REQUIRE_THROWS_MATCHES(ds::Batches(ds::ImageSet{set.images, tf::Tensor(tf::int32, {9})}, 2, 1),
                           tf::InvalidArgumentError,
                           Has("images [10,2,2,1] and labels [9] must have one row each"));
  }
}

TEST_CASE("datasets::slice takes rows in order") {
  const ds::ImageSet set = indexed_set(10);
  const ds::ImageSet s = ds::slice(set, 3, 4);
  CHECK(s.images.shape() == tf::Shape{4, 2, 2, 1});
  CHECK(ints(s.labels) == std::vector<int32_t>{3, 4, 5, 6});
  CHECK(s.images.data<float>()[4] == 4.f);
  CHECK(ds::slice(set, 10, 0).labels.num_elements() == 0);
  REQUIRE_THROWS_MATCHES(ds::slice(set, 8, 3), tf::InvalidArgumentError,
                         Has("rows [8, 8+3) are not inside a set of 10 rows"));
  REQUIRE_THROWS_AS(ds::slice(set, -1, 1), tf::InvalidArgumentError);
}
