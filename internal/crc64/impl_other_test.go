//go:build !amd64 || purego

package crc64

func archImpls() []impl { return nil }
