// Fuzz target: Kubernetes resource quantities (messages/quantity.hpp), as every manifest,
// request body and stored object carries them (requests, limits, capacity, quota).
//
// Drives quantity::parse with arbitrary text. Asserts, besides no crash and no sanitizer report:
//   - a refusal says why (the reason is not empty);
//   - an accepted quantity keeps the text it was written as, and that text parses again to the
//     same value (what the journal stores is the text: a restart must read the same value);
//   - value() is milli() rounded up to whole units;
//   - the canonical form of the value (from_milli) parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.hpp"
#include "messages/quantity.hpp"

using capstan::messages::quantity;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto q = quantity::parse(text, &why);
  if (!q) {
    FUZZ_CHECK(!why.empty(), "a refused quantity has no reason");
    return 0;
  }
  FUZZ_CHECK(q->text() == text, "the quantity does not keep its text");
  auto again = quantity::parse(q->text());
  FUZZ_CHECK(again && *again == *q, "the quantity's text reads back as another value");

  const int64_t milli = q->milli();
  const int64_t whole = milli / 1000 + (milli % 1000 > 0 ? 1 : 0);
  FUZZ_CHECK(q->value() == whole, "value() is not milli() rounded up");

  auto canonical = quantity::from_milli(milli);
  auto parsed = quantity::parse(canonical.text());
  FUZZ_CHECK(parsed && parsed->milli() == milli,
             "the canonical text " + canonical.text() + " reads back as another value");
  return 0;
}
