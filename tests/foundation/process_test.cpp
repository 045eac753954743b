// File: tests/foundation/process_test.cpp — placeholder
