// Package model owns Lotse's plain data types: entities, enums, create and patch request
// types, list filters, and the domain error categories that every layer wraps and the one
// HTTP error handler maps to status codes. It imports nothing of the other layers.
package model
