#include <Poco/JSON/Object.h>

#include "cw/http/json.hpp"

namespace cw::http {

int httpStatus(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::InvalidArgument: return 400;
    case ErrorCode::Unauthenticated: return 401;
    case ErrorCode::PermissionDenied: return 403;
    case ErrorCode::MethodNotAllowed: return 405;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::Conflict: return 409;
    case ErrorCode::FailedPrecondition: return 409;
    case ErrorCode::PayloadTooLarge: return 413;
    case ErrorCode::ResourceExhausted: return 429;
    case ErrorCode::Unavailable: return 503;
    case ErrorCode::Internal: return 500;
  }
  return 500;
}

Response errorResponse(const core::Error& error) {
  Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
  detail->set("code", std::string(core::errorCodeName(error.code)));
  detail->set("message", error.message);
  if (!error.field.empty()) detail->set("field", error.field);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("error", detail);
  return Response::json(body, httpStatus(error.code));
}

}  // namespace cw::http
