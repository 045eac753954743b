// File: src/common/boost_src.cpp — the one translation unit that compiles Asio, Asio SSL and Beast
// (BOOST_*_SEPARATE_COMPILATION is set project-wide, so no other file instantiates them).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
