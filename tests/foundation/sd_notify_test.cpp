// File: tests/foundation/sd_notify_test.cpp — placeholder
