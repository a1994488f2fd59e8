# cellsock-modemsim: filled in by its issue
