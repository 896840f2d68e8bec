/* test_cksum.c: to be written */
