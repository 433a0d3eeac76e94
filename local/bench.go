package main

import "fmt"

func bench(args []string) error { return fmt.Errorf("bench: not yet implemented") }
