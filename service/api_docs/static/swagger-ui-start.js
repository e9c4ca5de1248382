// Starts Swagger UI on the app's own OpenAPI document. A separate file, not an inline script,
// so the page's Content-Security-Policy allows scripts from the app only; no validator badge,
// which would send the document to a public server.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
  });
})();
