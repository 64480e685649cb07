# cython: language_level=3
# C-level interface of fastcount._hashcounter: the HashCounter class and the
# table it holds (everything of _hashtable.pxd is re-exported here):
#
#     from fastcount._hashcounter cimport HashCounter, FCTable, fc_table_add
from fastcount._hashtable cimport (FCCell, FCKeyKind, FCTable, fc_table_add, fc_table_add_batch,
                                   fc_table_copy, fc_table_del, fc_table_export, fc_table_find,
                                   fc_table_free, fc_table_get, fc_table_init, fc_table_len,
                                   fc_table_merge, fc_table_merge_key, fc_table_next,
                                   fc_table_reserve, fc_table_set, fc_table_total,
                                   fc_tables_equal, fc_widen)
from fastcount._native cimport FCGate


cdef class HashCounter:
    cdef FCTable table
    # one thread at a time in a method; held while a method works on the
    # table without the GIL, so that no other thread sees a torn table
    cdef FCGate gate
