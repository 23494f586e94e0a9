#pragma once
// The error hierarchy: every failure minitf reports on bad input is one of these.
#include <stdexcept>
#include <string>

namespace minitf {

// Root of every minitf error; catch this to catch them all.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Misuse while building a graph: bad names, shapes, scopes, reuse.
class ValueError : public Error {
 public:
  using Error::Error;
};

// A runtime argument (a feed, a tensor) does not fit what the op needs.
class InvalidArgumentError : public Error {
 public:
  using Error::Error;
};

// The state is not ready for the call (an uninitialized variable).
class FailedPreconditionError : public Error {
 public:
  using Error::Error;
};

// Something named does not exist (a file, a checkpoint key).
class NotFoundError : public Error {
 public:
  using Error::Error;
};

// Stored data is truncated, corrupt or hostile.
class DataLossError : public Error {
 public:
  using Error::Error;
};

// The caller may not do this (a file's permissions, a read-only file system).
class PermissionDeniedError : public Error {
 public:
  using Error::Error;
};

// Out of a resource: memory, disk space, threads.
class ResourceExhaustedError : public Error {
 public:
  using Error::Error;
};

// Something to be created exists already.
class AlreadyExistsError : public Error {
 public:
  using Error::Error;
};

// A valid request minitf does not implement (an NCHW convolution on CPU).
class UnimplementedError : public Error {
 public:
  using Error::Error;
};

}  // namespace minitf
