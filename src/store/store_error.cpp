// File: src/store/store_error.cpp — names for store error codes and the exception used by result::value().
#include "store/store_error.hpp"

#include <boost/throw_exception.hpp>

#include <stdexcept>

namespace berth::store {

const char* to_string(StoreErrc e) {
  switch (e) {
    case StoreErrc::not_found: return "not_found";
    case StoreErrc::already_exists: return "already_exists";
    case StoreErrc::conflict: return "conflict";
    case StoreErrc::invalid_argument: return "invalid_argument";
    case StoreErrc::busy: return "busy";
    case StoreErrc::corrupt: return "corrupt";
    case StoreErrc::too_new: return "too_new";
    case StoreErrc::io: return "io";
  }
  return "unknown";
}

void throw_exception_from_error(const StoreError& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(std::string("store: ") + to_string(e.code) + ": " + e.message), loc);
}

}  // namespace berth::store
