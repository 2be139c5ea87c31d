# test/lib/print-var.mk
#	  Print one variable of the project's Makefile, fully expanded, without
#	  editing that Makefile.  Used by test/run_all.sh to read REGRESS,
#	  ISOLATION and their _OPTS:
#
#	    make -s -f Makefile -f test/lib/print-var.mk PG_CONFIG=... print-REGRESS
#
#	  $(info) prints at recipe expansion time; "@:" is the empty recipe.
print-%:
	$(info $($*))@:
