#pragma once
// A small HTTP/1.1 client for API tests (one keep-alive connection per client).

#include <map>
#include <memory>
#include <string>

#include <Poco/JSON/Object.h>

namespace Poco::Net {
class HTTPClientSession;
}

namespace cw::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // last value per lower-cased name
  std::vector<std::string> setCookies;
  std::string body;

  /// The body parsed as a JSON object; throws when it is not one.
  Poco::JSON::Object::Ptr json() const;
  /// error.code of an error body, or "" when absent.
  std::string errorCode() const;
};

class HttpClient {
 public:
  explicit HttpClient(int port, std::string host = "127.0.0.1");
  ~HttpClient();

  HttpReply request(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});
  HttpReply get(const std::string& path, const std::string& token = "");
  HttpReply post(const std::string& path, const std::string& body, const std::string& token = "");

 private:
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

}  // namespace cw::testing
