// A fix for caf_openssl 0.17.6 as Debian builds it: its TLS sessions never clear OpenSSL's
// per-thread error queue (the only ERR_clear_error sits in logging code compiled out), so an
// error left by one failed handshake (a client that closes early, sends junk, or is shut down
// by the join port guard) is read back by SSL_get_error after the next harmless
// SSL_read of a healthy session on the same thread — and CAF closes that node's connection.
// Interposing the four calls CAF makes, and clearing the queue before each (what OpenSSL's
// documentation asks of every caller), makes each call's SSL_get_error see its own errors only.
// Linked as an object into every executable that runs caf_openssl; the executable's
// definitions take precedence over libssl's for the shared libraries that call them.
#include <dlfcn.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto next = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return next(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto next = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return next(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static const auto next = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return next(ssl);
}

int SSL_connect(SSL* ssl) {
  static const auto next = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return next(ssl);
}

}  // extern "C"
