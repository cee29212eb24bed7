#pragma once
// A streaming multipart/form-data parser (RFC 7578 over RFC 2046): bytes are pushed in as they arrive and part
// data leaves in pieces, so a 256 MB upload never sits in memory. POCO's MultipartReader reads a character at a
// time and cannot tell a body cut off in the middle of a part from a finished one; this parser searches for the
// delimiter with Boyer-Moore-Horspool and refuses, in finish(), any body that did not reach its closing
// delimiter.
//
// Thread-safety: one parser per request; not shared.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cw/core/result.hpp"

namespace cw::http {

struct PartHeaders {
  std::string name;                     // the form field name (Content-Disposition name=)
  std::optional<std::string> filename;  // present for a file field (filename=)
  std::string contentType;              // as the client declared it; never trusted for files
};

/// The boundary of a `multipart/form-data; boundary=...` Content-Type; InvalidArgument when it is not one.
core::Result<std::string> multipartBoundary(const std::string& contentType);

class MultipartParser {
 public:
  /// The callbacks of one body. An error returned by a callback stops the parse and is returned by feed().
  struct Sink {
    std::function<core::Status(const PartHeaders&)> beginPart;
    std::function<core::Status(std::string_view)> partData;
    std::function<core::Status()> endPart;
  };

  MultipartParser(std::string boundary, Sink sink);

  /// Consumes the next bytes of the body.
  core::Status feed(std::string_view bytes);
  /// Ends the body: InvalidArgument when it stopped before the closing delimiter (a truncated upload).
  core::Status finish();
  bool done() const { return state_ == State::Done; }

  static constexpr std::size_t kMaxHeaderBytes = 8192;
  static constexpr int kMaxParts = 16;

 private:
  enum class State { Preamble, AfterDelimiter, Headers, Body, Done, Failed };
  core::Status fail(std::string message);
  core::Status parseHeaders(std::string_view block);
  std::size_t findDelimiter(std::string_view haystack) const;

  std::string delimiter_;  // "\r\n--" + boundary
  Sink sink_;
  State state_ = State::Preamble;
  std::string buffer_;  // bytes not yet decided
  int parts_ = 0;
};

}  // namespace cw::http
