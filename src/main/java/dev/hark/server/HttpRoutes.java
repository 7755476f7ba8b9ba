package dev.hark.server;

import dev.hark.ingest.ConcurrencyController;
import dev.hark.metrics.HarkMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The plain HTTP side: the browser page at {@code /}, {@code /healthz}, {@code /readyz}, {@code /metrics}, and the gate in front of the WebSocket
 * upgrade at {@code /ws/live}, which takes a session slot or refuses with 503.
 */
final class HttpRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final String WS_PATH = "/ws/live";

  private final ConcurrencyController controller;
  private final HarkMetrics metrics;
  private final StaticFiles page;
  private final Admission admission;

  HttpRoutes(ConcurrencyController controller, HarkMetrics metrics, StaticFiles page, Admission admission) {
    super(false);
    this.controller = controller;
    this.metrics = metrics;
    this.page = page;
    this.admission = admission;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    RequestDeadline deadline = ctx.pipeline().get(RequestDeadline.class);
    if (deadline != null) {
      deadline.disarm();
    }
    String path = new QueryStringDecoder(req.uri()).path();
    if (path.equals(WS_PATH)) {
      upgrade(ctx, req);
      return;
    }
    try {
      if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
        respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET and HEAD are served\n");
        return;
      }
      switch (path) {
        case "/healthz" -> respond(ctx, req, HttpResponseStatus.OK, "ok\n");
        case "/readyz" -> ready(ctx, req);
        case "/metrics" -> respond(ctx, req, HttpResponseStatus.OK, metrics.scrape(),
            "text/plain; version=0.0.4; charset=utf-8");
        default -> {
          StaticFiles.File f = page.get(path);
          if (f == null) {
            respond(ctx, req, HttpResponseStatus.NOT_FOUND, "no such path: " + path + "\n");
          } else {
            respond(ctx, req, HttpResponseStatus.OK, f.bytes(), f.type());
          }
        }
      }
    } finally {
      req.release();
    }
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      respond(ctx, req, HttpResponseStatus.UPGRADE_REQUIRED, WS_PATH + " speaks WebSocket only\n");
      req.release();
      return;
    }
    if (SessionHandler.reserved(ctx.channel())) {
      ctx.fireChannelRead(req);
      return;
    }
    Admission.Verdict verdict = admission.check(req, ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
    if (verdict instanceof Admission.Refused r) {
      refuse(ctx, req, r);
      return;
    }
    Runnable release = ((Admission.Admitted) verdict).release();
    if (!controller.tryReserveSession()) {
      release.run();
      refuse(ctx, req, new Admission.Refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable",
          "server is " + controller.refusal() + "\n"));
      return;
    }
    ctx.channel().closeFuture().addListener(f -> release.run());
    if (ctx.pipeline().get(RequestDeadline.class) != null) {
      ctx.pipeline().remove(RequestDeadline.class); // from here on, the WebSocket's own timeouts apply
    }
    SessionHandler.markReserved(ctx.channel());
    ctx.fireChannelRead(req);
  }

  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, Admission.Refused r) {
    metrics.sessionRefused(r.reason());
    FullHttpResponse res = response(req, r.status(), r.message(), "text/plain; charset=utf-8");
    if (r.status() == HttpResponseStatus.UNAUTHORIZED) {
      res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"hark\"");
    } else if (r.status() != HttpResponseStatus.FORBIDDEN) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
    }
    HttpUtil.setKeepAlive(res, false);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    req.release();
  }

  private void ready(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (controller.acceptingSessions()) {
      respond(ctx, req, HttpResponseStatus.OK, "ready\n");
    } else {
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, controller.refusal() + "\n");
    }
  }

  private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body) {
    respond(ctx, req, status, body, "text/plain; charset=utf-8");
  }

  private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body,
      String type) {
    respond(ctx, req, status, body.getBytes(StandardCharsets.UTF_8), type);
  }

  private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, byte[] body,
      String type) {
    FullHttpResponse res = response(req, status, body, type);
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpUtil.setKeepAlive(res, keepAlive);
    var f = ctx.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static FullHttpResponse response(FullHttpRequest req, HttpResponseStatus status, String body, String type) {
    return response(req, status, body.getBytes(StandardCharsets.UTF_8), type);
  }

  private static FullHttpResponse response(FullHttpRequest req, HttpResponseStatus status, byte[] bytes, String type) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        req.method() == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    res.headers().set("X-Content-Type-Options", "nosniff");
    // The page loads only its own files and talks only to this server.
    res.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, "default-src 'self'; connect-src 'self'");
    return res;
  }
}
