package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/api"
)

// openAPISpec serves the API's OpenAPI description, the contract for API clients.
func (s *Server) openAPISpec(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "application/yaml", api.Spec())
}
