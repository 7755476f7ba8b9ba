package dev.hark.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The plain HTTP answers Hark writes. Errors share one shape with the WebSocket {@code error} message,
 * {@code {"type":"error","code":"...","message":"..."}}, and their messages never echo what the client sent.
 */
final class HttpAnswer {
  private static final JsonFactory JSON = new JsonFactory();

  private HttpAnswer() {}

  /** A complete answer; for HEAD the body is left out but its length still stated. */
  static FullHttpResponse of(HttpResponseStatus status, byte[] body, String type, boolean head) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    res.headers().set("X-Content-Type-Options", "nosniff");
    // The page loads only its own files and talks only to this server.
    res.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, "default-src 'self'; connect-src 'self'");
    return res;
  }

  /** An error in Hark's shape. */
  static FullHttpResponse error(HttpResponseStatus status, String code, String message, boolean head) {
    return of(status, errorBody(code, message), "application/json", head);
  }

  static byte[] errorBody(String code, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96 + message.length());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", "error");
      g.writeStringField("code", code);
      g.writeStringField("message", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array cannot fail to take bytes
    }
    out.write('\n');
    return out.toByteArray();
  }
}
