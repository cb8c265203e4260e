package kit

import (
	"net/http"

	"tongxin/internal/httpx"
	"tongxin/internal/page"
)

// The answers a Handler ends with, so that it can return them.

// One writes a single row with status and its version as ETag.
func One(w http.ResponseWriter, status, version int, v any) error {
	httpx.ETag(w, version)
	httpx.JSON(w, status, v)
	return nil
}

// Created writes a row just made at path: 201, Location and ETag.
func Created(w http.ResponseWriter, path string, version int, v any) error {
	w.Header().Set("Location", path)
	return One(w, http.StatusCreated, version, v)
}

// List writes a page of rows, or returns err.
func List[T any](w http.ResponseWriter, l page.List[T], err error) error {
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

// Items writes a list that is not paged ({"items": xs}), or returns err.
func Items[T any](w http.ResponseWriter, xs []T, err error) error {
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": xs})
	return nil
}
