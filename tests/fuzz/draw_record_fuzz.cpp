// cw-draw-v1 verification of a published draw record (`carewatch draw verify`, POST .../verify): draws::parseRecord
// on the record's JSON and draws::verify against the three frozen files. The input is the record, then pool.txt,
// inspectors.txt and exclusions.txt, separated by the byte 0x1E (a control character no frozen file may hold).
//
// Verifying the record as given stops at the digests for almost every mutation, so the record is verified a second
// time with its digests, commitment and seed recomputed from the files and its own secret (with the production
// functions): that reaches the re-run of the draw and the checks of selections and swaps. Also checked: a parsed
// record survives recordToJson and parseRecord unchanged.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cw/core/crypto.hpp"
#include "cw/draws/algorithm.hpp"
#include "cw/draws/record.hpp"
#include "fuzz_support.hpp"

namespace {

namespace draws = cw::draws;

// Cuts the next 0x1E-terminated piece off `input` (all of it when there is no separator left).
std::string_view nextPiece(std::string_view& input) {
  std::size_t at = input.find('\x1e');
  std::string_view piece = input.substr(0, at);
  input = at == std::string_view::npos ? std::string_view() : input.substr(at + 1);
  return piece;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view json = nextPiece(input);
  draws::FrozenFiles files;
  files.pool = std::string(nextPiece(input));
  files.inspectors = std::string(nextPiece(input));
  files.exclusions = std::string(nextPiece(input));

  auto record = draws::parseRecord(json);
  if (!record) return 0;
  std::string text = draws::recordToJson(*record);
  auto again = draws::parseRecord(text);
  cw::fuzz::check(again.ok(), "recordToJson writes a record parseRecord reads");
  cw::fuzz::check(draws::recordToJson(*again) == text, "recordToJson(parseRecord(recordToJson(r))) is stable");

  (void)draws::verify(*record, files);

  draws::DrawRecord fixed = *record;
  draws::Digests digests = draws::digestsOf(files);
  fixed.poolDigest = digests.pool;
  fixed.inspectorDigest = digests.inspectors;
  fixed.exclusionDigest = digests.exclusions;
  if (auto secret = cw::core::hexDecode(fixed.secretHex); secret && secret->size() == 32) {
    fixed.commitment = draws::commitmentOf(*secret);
    fixed.seedHex = cw::core::hexEncode(draws::seedOf(*secret, digests, fixed.beaconValue));
  }
  (void)draws::verify(fixed, files);
  return 0;
}
