// Viewer-request function (cloudfront-js-2.0) in front of the private site bucket.
// S3 behind Origin Access Control has no index documents, so `/posts/x/` is served from the
// object `posts/x/index.html`. `/posts/x` is redirected to `/posts/x/` rather than rewritten, as
// S3 website hosting and Hugo's server do: one canonical URL per page, and relative links in the
// page resolve against the directory. A last segment with a known file extension (`/index.xml`,
// `/img/a.png`) is a file and passes through unchanged; any other dot stays in a page's path
// (`urlize` keeps dots: `/posts/v1.2-release` is a page, redirected to `/posts/v1.2-release/`).
// FILE_EXTENSIONS are the suffixes of pressroom's Content-Type table (core/rendering/mime.py; a test keeps
// them equal): a file of another type is served as a page path would be, so it is not found.
// The redirect never leaves the site (SPEC 3.5): `//evil.example/` in a Location is another host,
// and so is `/\evil.example/` to a browser, which reads `\` as `/` and drops tabs and newlines
// anywhere in a URL. So the leading run of such characters, raw or percent-encoded (in case a
// layer decodes the path), becomes one `/`, and no raw control character or space is sent.
// infra/template.yaml inlines this exact text; tests/infra/test_template.py keeps them equal.
var FILE_EXTENSIONS = (
  '7z asc atom avif bmp bz2 css csv doc docx eot epub flac gif gz heic heif htm html ico ics ' +
  'ipynb jpeg jpg js json m4a m4v map markdown md mjs mov mp3 mp4 oga ogg ogv opus otf pdf ' +
  'png ppt pptx pub py rss sh svg tar tgz tif tiff toml ttf txt vtt wasm wav webm ' +
  'webmanifest webp woff woff2 xls xlsx xml xz yaml yml zip'
).split(' ');

var LEADING_SEPARATORS = /^(?:[\/\\\x00-\x20\x7f]|%(?:2f|5c|[01][0-9a-f]|20|7f))+/i;
var RAW_CONTROLS = /[\x00-\x20\x7f]/g;

function percentEncoded(character) {
  var code = character.charCodeAt(0);
  return (code < 16 ? '%0' : '%') + code.toString(16).toUpperCase();
}

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
  var dot = lastSegment.lastIndexOf('.');
  if (dot !== -1 && FILE_EXTENSIONS.indexOf(lastSegment.substring(dot + 1).toLowerCase()) !== -1) {
    return request;
  }
  var path = '/' + uri.replace(LEADING_SEPARATORS, '');
  var location = (path.endsWith('/') ? path : path + '/') + queryString(request.querystring || {});
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: { location: { value: location.replace(RAW_CONTROLS, percentEncoded) } },
  };
}
