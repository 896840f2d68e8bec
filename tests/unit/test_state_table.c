/* test_state_table.c: to be written */
