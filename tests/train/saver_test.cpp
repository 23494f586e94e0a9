// Checkpoints: safetensors round trips, strict restore, hostile files, atomic saves.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "../../train/src/safetensors.h"
#include "../../train/src/safetensors_io.h"
#include "../../train/src/saver_testing.h"
#include "checkpoint_files.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using namespace checkpoint_files;

// Two layers under a scope, with seeded random weights.
std::vector<tf::Variable> model(const std::string& scope, int64_t seed) {
  tf::variable_scope s(scope, {.initializer = tf::random_normal_initializer(0.f, 1.f, seed)});
  std::vector<tf::Variable> vars;
  for (const char* layer : {"conv1", "conv2"}) {
    tf::variable_scope l(layer);
    vars.push_back(tf::get_variable("weights", {3, 3, 4, 4}));
    vars.push_back(tf::get_variable("biases", {4}));
  }
  return vars;
}

}  // namespace

TEST_CASE("save then restore is exact, and restore needs no initialization") {
  TempDir dir;
  FreshGraph f;
  auto vars = model("image_filters", 1);
  tf::Session a(f.g);
  a.run(tf::global_variables_initializer());
  tf::train::Saver saver;
  CHECK(saver.save(a, dir.file("ckpt.safetensors")) == dir.file("ckpt.safetensors"));
  tf::Session b(f.g);
  saver.restore(b, dir.file("ckpt.safetensors"));
  for (const auto& v : vars) CHECK(values(b.run(v)) == values(a.run(v)));
  std::vector<std::string> keys;
  for (const auto& [key, v] : saver.variables()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"image_filters/conv1/biases", "image_filters/conv1/weights",
                                         "image_filters/conv2/biases", "image_filters/conv2/weights"});
}

TEST_CASE("a map restores one model's weights into another's") {
  TempDir dir;
  FreshGraph f;
  auto source = model("image_filters", 2);
  auto target = model("tower2", 3);
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  tf::train::Saver(source).save(sess, dir.file("filters.safetensors"));
  std::map<std::string, tf::Variable> mapping;
  for (size_t i = 0; i < source.size(); ++i) mapping[source[i].op().name()] = target[i];
  tf::train::Saver(mapping).restore(sess, dir.file("filters.safetensors"));
  for (size_t i = 0; i < source.size(); ++i)
    CHECK(values(sess.run(target[i])) == values(sess.run(source[i])));
}

TEST_CASE("restore reports every missing and mismatched key at once, and changes nothing") {
  TempDir dir;
  FreshGraph f;
  auto vars = model("net", 4);
  auto extra = tf::get_variable("extra", {2}, tf::zeros_initializer());
  tf::Session sess(f.g);
  sess.run(tf::global_variables_initializer());
  tf::train::Saver({vars[0], vars[1], extra}).save(sess, dir.file("part.safetensors"));
  const auto before = values(sess.run(vars[0]));
  try {
    tf::train::Saver(vars).restore(sess, dir.file("part.safetensors"));
    FAIL("no error");
  } catch (const tf::NotFoundError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("Missing keys:"));
    CHECK_THAT(msg, Catch::Contains("net/conv2/weights (variable net/conv2/weights, shape [3,3,4,4])"));
    CHECK_THAT(msg, Catch::Contains("net/conv2/biases"));
    CHECK_THAT(msg, !Catch::Contains("extra"));  // keys the Saver does not name are not its business
  }
  // shapes that disagree, without missing keys: InvalidArgumentError
  tf::Variable other;
  {
    tf::variable_scope s("other");
    other = tf::get_variable("w", {3, 3, 4, 5});
  }
  sess.run(other.initializer());
  REQUIRE_THROWS_MATCHES(
      tf::train::Saver(std::map<std::string, tf::Variable>{
                           {"net/conv1/weights", other}, {"net/conv1/biases", vars[1]}, {"extra", extra}})
          .restore(sess, dir.file("part.safetensors")),
      tf::InvalidArgumentError,
      Has("net/conv1/weights: the checkpoint has F32 [3,3,4,4], variable other/w is F32 [3,3,4,5]"));
  CHECK(values(sess.run(vars[0])) == before);
  REQUIRE_THROWS_MATCHES(tf::train::Saver(vars).restore(sess, dir.file("nothing.safetensors")),
                         tf::NotFoundError, Has("Checkpoint not found: " + dir.file("nothing.safetensors")));
  REQUIRE_THROWS_MATCHES(tf::train::Saver(vars).restore(sess, dir.file("no/folder/ckpt")), tf::NotFoundError,
                         Has("Checkpoint not found"));
}

TEST_CASE("truncated, corrupt and hostile files are DataLossErrors") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::ones_initializer());
  tf::Session sess(f.g);
  tf::train::Saver saver({v});
  const std::string good = "{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  const std::string data(8, '\0');
  const std::vector<std::pair<std::string, std::string>> files = {
      {"empty", ""},
      {"short length", std::string(5, '\0')},
      {"length past the end", header_file(good, data).substr(0, 20)},
      {"huge length", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + good},
      {"not JSON", header_file("{\"v\": [1, 2", data)},
      {"not an object", header_file("[1, 2, 3]", data)},
      {"unknown dtype",
       header_file("{\"v\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}", data)},
      {"offsets past the data",
       header_file("{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,80]}}", data)},
      {"offsets reversed",
       header_file("{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", data)},
      {"shape and bytes disagree",
       header_file("{\"v\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data)},
      {"negative dimension",
       header_file("{\"v\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", data)},
      {"huge shape",
       header_file("{\"v\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
                   data)},
      {"overlapping", header_file("{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                  "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                                  data)},
      {"missing fields", header_file("{\"v\":{\"dtype\":\"F32\"}}", data)},
  };
  for (const auto& [name, bytes] : files) {
    INFO(name);
    write_bytes(dir.file("bad"), bytes);
    REQUIRE_THROWS_AS(saver.restore(sess, dir.file("bad")), tf::DataLossError);
  }
  write_bytes(dir.file("good"), header_file(good, std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8)));
  saver.restore(sess, dir.file("good"));
  CHECK(values(sess.run(v)) == std::vector<float>{1.f, 2.f});
}

TEST_CASE("Python's standard library reads our checkpoints, and we read its") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("layer/w", {2, 3}, tf::random_uniform_initializer(-1.f, 1.f, 7));
  tf::Session sess(f.g);
  sess.run(v.initializer());
  tf::train::Saver saver({v});
  saver.save(sess, dir.file("ours.safetensors"));
  const std::string script = dir.file("check.py");
  std::ofstream(script) << R"PY(
import json, struct, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
entry = header["layer/w"]
assert entry["dtype"] == "F32" and entry["shape"] == [2, 3], entry
begin, end = entry["data_offsets"]
values = struct.unpack("<6f", data[begin:end])
print(" ".join(repr(v) for v in values))
# write a checkpoint of our own: the values doubled
doubled = struct.pack("<6f", *[2 * v for v in values])
head = json.dumps({"layer/w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}).encode()
head += b" " * (-len(head) % 8)
with open(dst, "wb") as f:
    f.write(struct.pack("<Q", len(head)) + head + doubled)
)PY";
  const std::string out = dir.file("python.txt");
  const std::string cmd = "python3 " + script + " " + dir.file("ours.safetensors") + " " +
                          dir.file("theirs.safetensors") + " > " + out;
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream printed(out);
  std::vector<float> read_by_python;
  for (double x; printed >> x;) read_by_python.push_back(static_cast<float>(x));
  const auto ours = values(sess.run(v));
  CHECK(read_by_python == ours);
  saver.restore(sess, dir.file("theirs.safetensors"));
  const auto restored = values(sess.run(v));
  for (size_t i = 0; i < ours.size(); ++i) CHECK(restored[i] == 2 * ours[i]);
}

TEST_CASE("a save killed before its rename leaves the previous checkpoint readable") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {4}, tf::constant_initializer(1.f));
  auto p = tf::placeholder(tf::float32, {4});
  auto set = tf::assign(v, p);
  tf::Session sess(f.g, {.num_threads = 1});
  sess.run(v.initializer());
  tf::train::Saver saver({v});
  const std::string path = dir.file("ckpt.safetensors");
  saver.save(sess, path);
  sess.run(set.op(), {{p, tf::Tensor::from<float>({4}, {9, 9, 9, 9})}});
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    minitf::train::testing::after_temp_written = [](const std::string&) { raise(SIGKILL); };
    saver.save(sess, path);
    _exit(0);  // not reached: the save dies first
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  bool temp_left = false;
  for (const auto& entry : fs::directory_iterator(dir.path))
    temp_left |= entry.path().filename().string().find(".tmp-") != std::string::npos;
  CHECK(temp_left);  // the child died holding a complete temporary file
  tf::Session fresh(f.g);
  saver.restore(fresh, path);
  CHECK(values(fresh.run(v)) == std::vector<float>{1, 1, 1, 1});
  // and a save that cannot write leaves it intact too
  REQUIRE_THROWS_AS(saver.save(sess, dir.file("no/such/folder/ckpt")), tf::NotFoundError);
  saver.save(sess, path);
  saver.restore(fresh, path);
  CHECK(values(fresh.run(v)) == std::vector<float>{9, 9, 9, 9});
  CHECK(names_in(dir.path) ==
        std::set<std::string>{"ckpt.safetensors"});  // the next save removed the dead one's temporary
}

TEST_CASE("restored weights reach the convolutions that cached the old ones") {
  TempDir dir;
  FreshGraph f;
  auto x = tf::placeholder(tf::float32, {1, 3, 3, 2});
  auto w = tf::get_variable("w", {1, 1, 2, 2}, tf::constant_initializer(1.f));
  auto y = tf::conv2d(x, w, {1, 1, 1, 1}, "VALID");
  tf::Session sess(f.g);
  sess.run(w.initializer());
  tf::Tensor ones(tf::float32, {1, 3, 3, 2});
  for (float& v : ones.data<float>()) v = 1.f;
  CHECK(sess.run(y, {{x, ones}}).data<float>()[0] == 2.f);
  tf::Tensor threes(tf::float32, {1, 1, 2, 2});
  for (float& v : threes.data<float>()) v = 3.f;
  sess.assign_variable(w.op(), threes);
  tf::train::Saver({w}).save(sess, dir.file("w"));
  sess.assign_variable(w.op(), tf::Tensor(tf::float32, {1, 1, 2, 2}));
  CHECK(sess.run(y, {{x, ones}}).data<float>()[0] == 0.f);
  tf::train::Saver({w}).restore(sess, dir.file("w"));
  CHECK(sess.run(y, {{x, ones}}).data<float>()[0] == 6.f);
  REQUIRE_THROWS_MATCHES(sess.assign_variable(w.op(), tf::Tensor(tf::float32, {2})), tf::InvalidArgumentError,
                         Has("to variable w of float32 [1,1,2,2]"));
  REQUIRE_THROWS_MATCHES(sess.read_variable(y.op()), tf::ValueError, Has("not a variable"));
}

TEST_CASE("permission denied is a PermissionDeniedError, also when the tests run as root") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::ones_initializer());
  tf::Session sess(f.g, {.num_threads = 1});
  sess.run(v.initializer());
  tf::train::Saver saver({v});
  const std::string locked = saver.save(sess, dir.file("locked"));
  fs::create_directory(dir.path / "ro");
  REQUIRE(::chmod(locked.c_str(), 0) == 0);
  REQUIRE(::chmod((dir.path / "ro").c_str(), 0555) == 0);
  REQUIRE(::chmod(dir.path.c_str(), 0755) == 0);
  // root passes every permission check: the child gives root up first
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) _exit(2);
    int code = 0;
    try {
      saver.restore(sess, locked);
      code |= 4;
    } catch (const tf::PermissionDeniedError& e) {
      if (!std::strstr(e.what(), "Cannot open checkpoint") || !std::strstr(e.what(), locked.c_str()))
        code |= 8;
    } catch (...) {
      code |= 16;
    }
    try {
      saver.save(sess, dir.file("ro/ckpt"));
      code |= 32;
    } catch (const tf::PermissionDeniedError& e) {
      if (!std::strstr(e.what(), "ro/ckpt")) code |= 64;
    } catch (...) {
      code |= 128;
    }
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) {
    WARN("cannot drop root privileges here: only the errno table covers PermissionDeniedError");
  } else {
    CHECK(WEXITSTATUS(status) == 0);
  }
  ::chmod((dir.path / "ro").c_str(), 0755);
}

TEST_CASE("a 250-byte file name saves: its temporary's name fits NAME_MAX") {
  using minitf::detail::temp_name_prefix;
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::ones_initializer());
  tf::Session sess(f.g);
  sess.run(v.initializer());
  const std::string name(250, 'n');
  tf::train::Saver({v}).save(sess, dir.file(name));
  tf::train::Saver({v}).restore(sess, dir.file(name));
  CHECK(names_in(dir.path) == std::set<std::string>{name});
  CHECK(temp_name_prefix("ckpt") == ".ckpt.tmp-");
  for (const std::string& long_name : {name, std::string(249, 'n') + "m", [] {
                                         std::string s;
                                         for (int i = 0; i < 125; ++i) s += "\xc3\xa9";  // 250 bytes of é
                                         return s;
                                       }()}) {
    const std::string prefix = temp_name_prefix(long_name);
    CHECK(prefix.size() + 10 + 1 + 6 <= 255);  // with a 10-digit pid and mkstemp's 6 characters
    CHECK(minitf::detail::valid_utf8(prefix));
  }
  CHECK(temp_name_prefix(name) != temp_name_prefix(std::string(249, 'n') + "m"));  // a hash tells them apart
}

TEST_CASE("checkpoints get mode 0666 & ~umask") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::ones_initializer());
  tf::Session sess(f.g);
  sess.run(v.initializer());
  for (mode_t mask : {mode_t{022}, mode_t{077}, mode_t{0}, mode_t{027}}) {
    const mode_t old = ::umask(mask);
    tf::train::Saver({v}).save(sess, dir.file("ckpt"));
    ::umask(old);
    struct stat st {};
    REQUIRE(::stat(dir.file("ckpt").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == (0666 & ~mask));
  }
}

TEST_CASE("saving through a symbolic link replaces its target and keeps the link") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::ones_initializer());
  tf::Session sess(f.g);
  sess.run(v.initializer());
  tf::train::Saver saver({v});
  fs::create_directory(dir.path / "models");
  fs::create_directory(dir.path / "links");
  fs::create_symlink("../models/real.ckpt", dir.path / "links/ckpt");  // dangling until the first save
  fs::create_symlink("ckpt", dir.path / "links/chain");
  saver.save(sess, dir.file("links/ckpt"));
  CHECK(fs::is_symlink(dir.path / "links/ckpt"));
  CHECK(fs::is_regular_file(fs::symlink_status(dir.path / "models/real.ckpt")));
  sess.assign_variable(v.op(), tf::Tensor::from<float>({2}, {4, 5}));
  saver.save(sess, dir.file("links/chain"));
  CHECK(fs::is_symlink(dir.path / "links/chain"));
  CHECK(fs::is_symlink(dir.path / "links/ckpt"));
  sess.assign_variable(v.op(), tf::Tensor::from<float>({2}, {0, 0}));
  saver.restore(sess, dir.file("models/real.ckpt"));
  CHECK(values(sess.run(v)) == std::vector<float>{4, 5});
  CHECK(names_in(dir.path / "links") == std::set<std::string>{"chain", "ckpt"});
  CHECK(names_in(dir.path / "models") == std::set<std::string>{"real.ckpt"});
  fs::create_symlink("loop2", dir.path / "loop1");
  fs::create_symlink("loop1", dir.path / "loop2");
  REQUIRE_THROWS_MATCHES(saver.save(sess, dir.file("loop1")), tf::InvalidArgumentError,
                         Has("Too many levels of symbolic links"));
}

TEST_CASE("a save removes temporaries of the same checkpoint whose writer is gone, and no others") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::ones_initializer());
  tf::Session sess(f.g);
  sess.run(v.initializer());
  const pid_t dead = fork();
  REQUIRE(dead >= 0);
  if (dead == 0) _exit(0);
  REQUIRE(waitpid(dead, nullptr, 0) == dead);
  const std::string prefix = minitf::detail::temp_name_prefix("ckpt");
  const std::string d = std::to_string(dead), me = std::to_string(getpid());
  const auto touch = [&](const std::string& name, int age_seconds = 0) {
    write_bytes(dir.file(name), "partial");
    const timespec times[2] = {{time(nullptr) - age_seconds, 0}, {time(nullptr) - age_seconds, 0}};
    REQUIRE(::utimensat(AT_FDCWD, dir.file(name).c_str(), times, 0) == 0);
  };
  touch(prefix + d + "-aaaaaa");     // its writer died: removed
  touch(prefix + me + "-bbbbbb");    // our pid, but no save of ours writes it (an earlier process's): removed
  touch(prefix + "1-cccccc");        // a live writer's (pid 1): kept
  touch(prefix + "1-dddddd", 3600);  // pid 1's but an hour old: the pid was reused, removed
  touch(".other.tmp-" + d + "-eeeeee");  // another checkpoint's: kept
  touch(prefix + d + "-fff");            // not the name of a temporary: kept
  touch(prefix + d + "-gggggg");         // locked by a writer on another host or pid namespace: kept
  const int held = ::open(dir.file(prefix + d + "-gggggg").c_str(), O_RDONLY);
  REQUIRE(::flock(held, LOCK_EX) == 0);
  tf::train::Saver({v}).save(sess, dir.file("ckpt"));
  ::close(held);
  CHECK(names_in(dir.path) == std::set<std::string>{"ckpt", prefix + "1-cccccc",
                                                    ".other.tmp-" + d + "-eeeeee", prefix + d + "-fff",
                                                    prefix + d + "-gggggg"});
}

TEST_CASE("concurrent saves of one checkpoint in one process never remove each other's temporaries") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {256}, tf::ones_initializer());
  tf::Session sess(f.g);
  sess.run(v.initializer());
  tf::train::Saver saver({v});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        try {
          saver.save(sess, dir.file("ckpt"));
        } catch (const std::exception& e) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  saver.restore(sess, dir.file("ckpt"));
  CHECK(names_in(dir.path) == std::set<std::string>{"ckpt"});
}

TEST_CASE("save and restore let no standard exception out: out of memory is a ResourceExhaustedError") {
  TempDir dir;
  FreshGraph f;
  auto v = tf::get_variable("v", {2}, tf::ones_initializer());
  tf::Session sess(f.g);
  sess.run(v.initializer());
  tf::train::Saver saver({v});
  const std::string path = saver.save(sess, dir.file("ckpt"));
  struct Reset {
    ~Reset() { minitf::train::testing::after_temp_written = nullptr; }
  } reset;
  minitf::train::testing::after_temp_written = [](const std::string&) { throw std::bad_alloc(); };
  REQUIRE_THROWS_MATCHES(saver.save(sess, path), tf::ResourceExhaustedError,
                         Has("Out of memory saving checkpoint " + path));
  minitf::train::testing::after_temp_written = [](const std::string&) { throw std::runtime_error("odd"); };
  REQUIRE_THROWS_MATCHES(saver.save(sess, path), tf::Error,
                         Has("Failed saving checkpoint " + path + ": odd"));
  minitf::train::testing::after_temp_written = [](const std::string&) {
    throw std::filesystem::filesystem_error("fs", std::make_error_code(std::errc::no_space_on_device));
  };
  REQUIRE_THROWS_MATCHES(saver.save(sess, path), tf::ResourceExhaustedError, Has(path));
  CHECK(names_in(dir.path) == std::set<std::string>{"ckpt"});  // each failed save removed its temporary
  REQUIRE_THROWS_MATCHES(saver.save(sess, ""), tf::InvalidArgumentError, Has("empty path"));
  saver.restore(sess, path);
}
