package dev.hark.server;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Base64;

/**
 * What an opening handshake must carry (RFC 6455 section 4.2.1), checked before an upgrade may take a session slot,
 * with the same tests Netty's handshaker applies afterwards: whatever passes here, the handshake accepts.
 */
final class UpgradeRequest {
  static final String VERSION = "13";

  private UpgradeRequest() {}

  /** Why this request cannot become a WebSocket, or null if it can. */
  static HttpError problem(FullHttpRequest req) {
    if (!HttpMethod.GET.equals(req.method())) {
      return HttpError.BAD_METHOD;
    }
    HttpHeaders h = req.headers();
    if (!h.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return HttpError.badUpgrade(HttpResponseStatus.UPGRADE_REQUIRED, req.uri().startsWith(HttpRoutes.WS_PATH)
          ? HttpRoutes.WS_PATH + " speaks WebSocket only" : "this path speaks WebSocket only");
    }
    if (!req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return HttpError.badUpgrade(HttpResponseStatus.BAD_REQUEST, "a WebSocket upgrade needs HTTP/1.1");
    }
    if (!h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
      return HttpError.badUpgrade(HttpResponseStatus.BAD_REQUEST, "Connection: Upgrade is missing");
    }
    if (!VERSION.equals(h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      return HttpError.badUpgrade(HttpResponseStatus.UPGRADE_REQUIRED, "only WebSocket version 13 is spoken");
    }
    String key = h.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    if (key == null || !isKey(key.strip())) {
      return HttpError.badUpgrade(HttpResponseStatus.BAD_REQUEST, "Sec-WebSocket-Key must be 16 bytes in Base64");
    }
    return null;
  }

  private static boolean isKey(String key) {
    if (key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
