package dev.hark.server;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A malformed HTTP request, answered in Hark's error shape and counted in
 * {@code http_requests_rejected_total{reason}} under its {@link #code()}; the connection is then closed, since
 * whatever follows a malformed request cannot be trusted to start where the next request does.
 */
record HttpError(HttpResponseStatus status, String code, String message) {
  static HttpError badRequest(String message) {
    return new HttpError(HttpResponseStatus.BAD_REQUEST, "bad_request", message);
  }

  static HttpError badUpgrade(HttpResponseStatus status, String message) {
    return new HttpError(status, "bad_upgrade", message);
  }

  static final HttpError HEADERS_TOO_LARGE = new HttpError(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
      "headers_too_large", "request headers over " + HttpLimits.MAX_HEADER_BYTES + " bytes or "
      + HttpLimits.MAX_HEADERS + " fields");
  static final HttpError URI_TOO_LONG = new HttpError(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long",
      "request line over " + HttpLimits.MAX_REQUEST_LINE_BYTES + " bytes");
  static final HttpError BODY_TOO_LARGE = new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
      "body_too_large", "request body over " + HttpLimits.MAX_BODY_BYTES + " bytes");
  static final HttpError BAD_METHOD = new HttpError(HttpResponseStatus.METHOD_NOT_ALLOWED, "bad_method",
      "only GET and HEAD are served");
  static final HttpError NOT_FOUND = new HttpError(HttpResponseStatus.NOT_FOUND, "not_found", "no such path");
}
