// File: src/main.cpp — entry point of the berth daemon and CLI.
#include <cstdio>

int main() {
  std::puts("berth");
  return 0;
}
