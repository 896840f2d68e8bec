/* test_syncookie.c: to be written */
