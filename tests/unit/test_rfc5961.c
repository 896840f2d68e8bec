/* test_rfc5961.c: to be written */
