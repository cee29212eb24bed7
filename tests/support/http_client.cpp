#include "support/http_client.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <sstream>

namespace cw::testing {

Poco::JSON::Object::Ptr HttpReply::json() const {
  return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

std::string HttpReply::errorCode() const {
  try {
    auto error = json()->getObject("error");
    return error ? error->getValue<std::string>("code") : "";
  } catch (const std::exception&) {
    return "";
  }
}

HttpClient::HttpClient(int port, std::string host)
    : session_(std::make_unique<Poco::Net::HTTPClientSession>(host, static_cast<Poco::UInt16>(port))) {
  session_->setTimeout(Poco::Timespan(30, 0));
}

HttpClient::~HttpClient() = default;

HttpReply HttpClient::request(const std::string& method, const std::string& path, const std::string& body,
                              const std::map<std::string, std::string>& headers) {
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) request.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    if (!request.has("Content-Type")) request.setContentType("application/json");
  }
  std::ostream& out = session_->sendRequest(request);
  out << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session_->receiveResponse(response);
  HttpReply reply;
  reply.status = response.getStatus();
  for (const auto& [k, v] : response) {
    std::string lower;
    for (char c : k) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[lower] = v;
    if (lower == "set-cookie") reply.setCookies.push_back(v);
  }
  std::ostringstream text;
  Poco::StreamCopier::copyStream(in, text);
  reply.body = text.str();
  return reply;
}

HttpReply HttpClient::get(const std::string& path, const std::string& token) {
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  return request("GET", path, "", headers);
}

HttpReply HttpClient::post(const std::string& path, const std::string& body, const std::string& token) {
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  return request("POST", path, body, headers);
}

}  // namespace cw::testing
