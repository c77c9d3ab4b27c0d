#include "store/secret_sealing.hpp"

#include <cstring>
#include <filesystem>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include "common/pki.hpp"
#include "messages/base64.hpp"
#include "store/event_log.hpp"

namespace capstan::store {

namespace {

using messages::secret;

// Envelope: magic, key id length (1 byte), key id, nonce, ciphertext, tag. The additional
// data binds it to the Secret's namespace and name: an envelope copied onto another Secret
// does not open.
constexpr char magic[4] = {'c', 's', 'e', '1'};
constexpr std::size_t key_bytes = 32, nonce_bytes = 12, tag_bytes = 16;
constexpr std::size_t max_id_bytes = 64;
// The key file is a few lines; anything much larger is not one.
constexpr std::size_t max_key_file_bytes = 64 * 1024;

struct cipher_context {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~cipher_context() { EVP_CIPHER_CTX_free(ctx); }
};

void put_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>(v >> shift & 0xff);
}

bool get_u32(std::string_view& in, uint32_t& v) {
  if (in.size() < 4)
    return false;
  v = 0;
  for (int i = 0; i < 4; ++i)
    v = v << 8 | static_cast<uint8_t>(in[i]);
  in.remove_prefix(4);
  return true;
}

template <class Map>
void serialize_into(std::string& out, const Map& map) {
  put_u32(out, static_cast<uint32_t>(map.size()));
  for (const auto& [k, v] : map) {
    put_u32(out, static_cast<uint32_t>(k.size()));
    out += k;
    put_u32(out, static_cast<uint32_t>(v.size()));
    out += v;
  }
}

// Reads one map written by serialize_into from the front of `in`.
template <class Map>
bool deserialize_from(std::string_view& in, Map& out) {
  uint32_t count = 0;
  if (!get_u32(in, count))
    return false;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t size = 0;
    if (!get_u32(in, size) || size > in.size())
      return false;
    std::string k(in.substr(0, size));
    in.remove_prefix(size);
    if (!get_u32(in, size) || size > in.size())
      return false;
    out[std::move(k)] = std::string(in.substr(0, size));
    in.remove_prefix(size);
  }
  return true;
}

// What is sealed: the data, then the annotations (kubectl apply's last-applied-configuration
// annotation holds the whole Secret, values included). Each map: its entry count, then each key
// and value length-prefixed.
std::string serialize(const secret& s) {
  std::string out;
  serialize_into(out, s.data);
  serialize_into(out, s.metadata.annotations);
  return out;
}

bool deserialize(std::string_view in, secret& s) {
  messages::byte_map data;
  messages::string_map annotations;
  if (!deserialize_from(in, data) || !deserialize_from(in, annotations) || !in.empty())
    return false;
  s.data = std::move(data);
  s.metadata.annotations = std::move(annotations);
  return true;
}

std::string additional_data(const secret& s, const std::string& key_id) {
  return std::string(magic, sizeof magic) + key_id + '\0' + s.metadata.namespace_ + '/' +
         s.metadata.name;
}

[[noreturn]] void fail(const std::string& what) { throw store_error(what); }

void check_key(const std::string& id, const std::string& key) {
  if (id.empty() || id.size() > max_id_bytes || id.find_first_of(":\n\r") != std::string::npos)
    fail("a secrets key id must be 1 to 64 characters without ':' or line breaks");
  if (key.size() != key_bytes)
    fail("secrets key \"" + id + "\" is not 32 bytes (AES-256)");
}

}  // namespace

secret_sealer::secret_sealer(std::vector<std::pair<std::string, std::string>> keys)
    : keys_(std::move(keys)) {
  if (keys_.empty())
    fail("the secrets key ring is empty");
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    check_key(keys_[i].first, keys_[i].second);
    for (std::size_t j = 0; j < i; ++j)
      if (keys_[j].first == keys_[i].first)
        fail("the secrets key id \"" + keys_[i].first + "\" is given twice");
  }
}

std::string secret_sealer::new_key_line(const std::string& id) {
  std::string key(key_bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), key_bytes) != 1)
    fail("cannot draw a random secrets key");
  return id + ":" + messages::base64_encode(key);
}

std::shared_ptr<const secret_sealer> secret_sealer::from_key_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    try {
      common::write_file_atomically(path, new_key_line("k1") + "\n", 0600);
    } catch (const std::exception& e) {
      fail(std::string("cannot create the secrets key file: ") + e.what());
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    fail("cannot read the secrets key file " + path + ": " + std::strerror(errno));
  if ((st.st_mode & 077) != 0)
    fail("the secrets key file " + path + " is readable by others than its owner (mode " +
         std::to_string(st.st_mode & 0777) + " in decimal); chmod 600 it");
  std::string text;
  try {
    text = common::read_small_file(path, max_key_file_bytes);
  } catch (const std::exception& e) {
    fail(std::string("cannot read the secrets key file: ") + e.what());
  }
  std::vector<std::pair<std::string, std::string>> keys;
  std::size_t line_no = 0, start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty() || line[0] == '#')
      continue;
    auto colon = line.find(':');
    std::string why;
    std::optional<std::string> key;
    if (colon != std::string::npos)
      key = messages::base64_decode(line.substr(colon + 1), &why);
    if (!key || key->size() != key_bytes || colon == 0 || colon > max_id_bytes)
      fail("the secrets key file " + path + " line " + std::to_string(line_no) +
           " is not ID:BASE64 of 32 bytes");
    keys.emplace_back(line.substr(0, colon), std::move(*key));
  }
  if (keys.empty())
    fail("the secrets key file " + path + " holds no key");
  return std::make_shared<const secret_sealer>(std::move(keys));
}

void secret_sealer::seal(secret& s) const {
  if (s.data.empty() && s.metadata.annotations.empty())
    return;
  const auto& [id, key] = keys_.front();
  const std::string plain = serialize(s);
  const std::string aad = additional_data(s, id);
  std::string out(magic, sizeof magic);
  out += static_cast<char>(id.size());
  out += id;
  const std::size_t nonce_at = out.size();
  out.resize(nonce_at + nonce_bytes + plain.size() + tag_bytes);
  auto* nonce = reinterpret_cast<unsigned char*>(&out[nonce_at]);
  auto* cipher = nonce + nonce_bytes;
  if (RAND_bytes(nonce, nonce_bytes) != 1)
    fail("cannot draw a nonce to seal a Secret");
  cipher_context c;
  int len = 0, final_len = 0;
  if (!c.ctx ||
      EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()), nonce) != 1 ||
      EVP_EncryptUpdate(c.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(c.ctx, cipher, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(c.ctx, cipher + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, tag_bytes, cipher + plain.size()) != 1)
    fail("cannot seal Secret " + s.metadata.namespace_ + "/" + s.metadata.name);
  s.sealed.envelope = std::move(out);
  s.data.clear();
  s.metadata.annotations.clear();
}

void secret_sealer::unseal(secret& s) const {
  if (s.sealed.empty())
    return;
  const std::string where = "Secret " + s.metadata.namespace_ + "/" + s.metadata.name;
  std::string_view in = s.sealed.envelope;
  if (in.size() < sizeof magic + 1 || in.compare(0, sizeof magic, magic, sizeof magic) != 0)
    fail("the sealed data of " + where + " is not an envelope this build reads");
  in.remove_prefix(sizeof magic);
  const std::size_t id_size = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (in.size() < id_size + nonce_bytes + tag_bytes)
    fail("the sealed data of " + where + " is truncated");
  const std::string id(in.substr(0, id_size));
  in.remove_prefix(id_size);
  const std::string* key = nullptr;
  for (const auto& k : keys_)
    if (k.first == id)
      key = &k.second;
  if (!key)
    fail(where + " was sealed with key \"" + id + "\", which the secrets key file no longer holds");
  const auto* nonce = reinterpret_cast<const unsigned char*>(in.data());
  const auto* cipher = nonce + nonce_bytes;
  const std::size_t cipher_size = in.size() - nonce_bytes - tag_bytes;
  std::string tag(in.substr(nonce_bytes + cipher_size));
  const std::string aad = additional_data(s, id);
  std::string plain(cipher_size, '\0');
  cipher_context c;
  int len = 0, final_len = 0;
  if (!c.ctx ||
      EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key->data()), nonce) != 1 ||
      EVP_DecryptUpdate(c.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(plain.data()), &len, cipher,
                        static_cast<int>(cipher_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, tag_bytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(plain.data()) + len,
                          &final_len) != 1)
    fail("the sealed data of " + where + " does not open with key \"" + id +
         "\": damaged, or sealed for another Secret");
  if (!deserialize(plain, s))
    fail("the sealed data of " + where + " opens to something that is not a Secret's data");
  s.sealed = {};
}

std::unique_ptr<messages::journal_record> secret_sealer::sealed_copy(
    const messages::journal_record& r) const {
  const auto* s = secret_in(r);
  if (!s || (s->data.empty() && s->metadata.annotations.empty()))
    return nullptr;
  auto copy = std::make_unique<messages::journal_record>(r);
  seal(*secret_in(*copy));
  return copy;
}

secret* secret_in(messages::journal_record& r) {
  messages::any_object* object = nullptr;
  if (auto* c = std::get_if<messages::object_created>(&r.event))
    object = &c->object;
  else if (auto* u = std::get_if<messages::object_updated>(&r.event))
    object = &u->object;
  return object ? std::get_if<secret>(object) : nullptr;
}

const secret* secret_in(const messages::journal_record& r) {
  return secret_in(const_cast<messages::journal_record&>(r));
}

}  // namespace capstan::store
