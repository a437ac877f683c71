// Viewer-request function (cloudfront-js-2.0) in front of the private site bucket.
// S3 behind Origin Access Control has no index documents, so `/posts/x/` is served from the
// object `posts/x/index.html`. `/posts/x` is redirected to `/posts/x/` rather than rewritten, as
// S3 website hosting and Hugo's server do: one canonical URL per page, and relative links in the
// page resolve against the directory. A last segment with an extension (`/index.xml`,
// `/img/a.png`) is a file and passes through unchanged.
// infra/template.yaml inlines this exact text; tests/infra/test_template.py keeps them equal.
function queryString(querystring) {
  var parts = [];
  for (var name in querystring) {
    var entry = querystring[name];
    var values = entry.multiValue ? entry.multiValue : [entry];
    for (var i = 0; i < values.length; i++) {
      parts.push(name + '=' + values[i].value);
    }
  }
  return parts.length > 0 ? '?' + parts.join('&') : '';
}

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  var lastSegment = uri.substring(uri.lastIndexOf('/') + 1);
  if (lastSegment.indexOf('.') !== -1) {
    return request;
  }
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: { location: { value: uri + '/' + queryString(request.querystring || {}) } },
  };
}
