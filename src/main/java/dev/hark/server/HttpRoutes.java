package dev.hark.server;

import dev.hark.ingest.ConcurrencyController;
import dev.hark.ingest.SessionAdmission;
import dev.hark.metrics.HarkMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The plain HTTP side: the browser page at {@code /}, {@code /healthz}, {@code /readyz}, {@code /metrics}, and the
 * gate in front of the WebSocket upgrades ({@code /ws/live}, and the dialects' paths: {@link Dialect}), which takes
 * a session slot only for an upgrade the handshake will accept. Malformed requests get a 4xx in Hark's error shape
 * and a closed connection; a client that pipelines requests without reading the answers is cut off. One instance
 * per connection, on its event loop.
 */
final class HttpRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final String WS_PATH = "/ws/live";

  private final ConcurrencyController controller;
  private final HarkMetrics metrics;
  private final StaticFiles page;
  private final Admission admission;
  private final ThrottledLog clientFaults;
  private final Supplier<byte[]> capacity;
  /** Answers written that the client's socket has not yet taken. */
  private int unsentAnswers;
  /** On the --vosk-port listener: an upgrade at any path is a vosk-server client's. */
  private final boolean voskEverywhere;

  HttpRoutes(ConcurrencyController controller, HarkMetrics metrics, StaticFiles page, Admission admission,
      ThrottledLog clientFaults, Supplier<byte[]> capacity, boolean voskEverywhere) {
    super(false);
    this.voskEverywhere = voskEverywhere;
    this.capacity = capacity;
    this.controller = controller;
    this.metrics = metrics;
    this.page = page;
    this.admission = admission;
    this.clientFaults = clientFaults;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    try {
      route(ctx, req);
    } finally {
      req.release();
    }
  }

  private void route(ChannelHandlerContext ctx, FullHttpRequest req) {
    RequestDeadline deadline = ctx.pipeline().get(RequestDeadline.class);
    if (deadline != null) {
      deadline.disarm();
    }
    if (unsentAnswers >= HttpLimits.MAX_UNSENT_ANSWERS) {
      // The client sends requests and does not read the answers: another answer would only wait in memory.
      metrics.connectionClosed("pipeline");
      clientFaults.info("closed a connection that pipelined requests without reading "
          + HttpLimits.MAX_UNSENT_ANSWERS + " answers");
      Connections.close(ctx);
      return;
    }
    HttpError malformed = malformed(req);
    RequestTarget target = malformed == null ? RequestTarget.parse(req.uri()) : null;
    if (target instanceof RequestTarget.Malformed m) {
      malformed = HttpError.badRequest(m.message());
    }
    if (malformed != null) {
      reject(ctx, req, malformed);
      return;
    }
    RequestTarget.Parsed parsed = (RequestTarget.Parsed) target;
    if (Dialect.isWebSocketPath(parsed.path())
        || (voskEverywhere && "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE)))) {
      upgrade(ctx, req, parsed);
      return;
    }
    if (!HttpMethod.GET.equals(req.method()) && !HttpMethod.HEAD.equals(req.method())) {
      reject(ctx, req, HttpError.BAD_METHOD);
      return;
    }
    switch (parsed.path()) {
      case "/healthz" -> text(ctx, req, HttpResponseStatus.OK, "ok\n");
      case "/readyz" -> ready(ctx, req);
      case "/capacity" -> answer(ctx, req, HttpAnswer.of(HttpResponseStatus.OK, capacity.get(), "application/json",
          head(req)));
      case "/metrics" -> answer(ctx, req, HttpAnswer.of(HttpResponseStatus.OK,
          metrics.scrape().getBytes(StandardCharsets.UTF_8), "text/plain; version=0.0.4; charset=utf-8", head(req)));
      default -> {
        StaticFiles.File f = page.get(parsed.path());
        if (f == null) {
          reject(ctx, req, HttpError.NOT_FOUND);
        } else {
          answer(ctx, req, HttpAnswer.of(HttpResponseStatus.OK, f.bytes(), f.type(), head(req)));
        }
      }
    }
  }

  /** What the HTTP decoder found wrong with the request, or too many header fields; null if nothing. */
  private static HttpError malformed(FullHttpRequest req) {
    if (req.decoderResult().isFailure()) {
      Throwable cause = req.decoderResult().cause();
      if (cause instanceof TooLongHttpHeaderException) {
        return HttpError.HEADERS_TOO_LARGE;
      }
      if (cause instanceof TooLongHttpLineException) {
        return HttpError.URI_TOO_LONG;
      }
      return HttpError.badRequest("not a valid HTTP/1.1 request");
    }
    return req.headers().size() > HttpLimits.MAX_HEADERS ? HttpError.HEADERS_TOO_LARGE : null;
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, RequestTarget.Parsed target) {
    if (SessionHandler.reserved(ctx.channel())) {
      // A second upgrade on a connection that already holds a slot goes to the handshake, which refuses it.
      ctx.fireChannelRead(req.retain());
      return;
    }
    HttpError problem = UpgradeRequest.problem(req);
    if (problem == null && !voskEverywhere) {
      problem = Dialect.problem(target, controller.settings());
    }
    if (problem != null) {
      reject(ctx, req, problem);
      return;
    }
    String resumeId = !voskEverywhere && target.path().equals(WS_PATH) ? target.param("resume") : null;
    Admission.Verdict verdict = admission.check(req, target,
        ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress(), resumeId);
    if (verdict instanceof Admission.Refused r) {
      refuse(ctx, req, r);
      return;
    }
    Admission.Admitted admitted = (Admission.Admitted) verdict;
    long credit = controller.admission().tryReserve();
    if (credit == SessionAdmission.REFUSED) {
      admission.giveBack(admitted);
      String why = controller.admission().refusal();
      // A balancer in front tells a full node from one whose recognizer is saturated by the code.
      refuse(ctx, req, new Admission.Refused(HttpResponseStatus.SERVICE_UNAVAILABLE,
          why.equals("at_capacity") ? "asr_capacity" : "unavailable", "server is " + why));
      return;
    }
    admission.hold(ctx.channel(), admitted); // given back when the connection closes, unless its session takes it
    SessionHandler.markReserved(ctx.channel(), credit);
    ctx.fireChannelRead(req.retain()); // the request deadline stays armed until the handshake completes
  }

  private void reject(ChannelHandlerContext ctx, FullHttpRequest req, HttpError e) {
    metrics.httpRequestRejected(e.code());
    clientFaults.info("rejected an HTTP request: " + e.status().code() + " " + e.code());
    FullHttpResponse res = HttpAnswer.error(e.status(), e.code(), e.message(), head(req));
    if (e.status().equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
      res.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
      res.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, UpgradeRequest.VERSION);
    }
    closeAfter(ctx, res);
  }

  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, Admission.Refused r) {
    metrics.sessionRefused(r.reason());
    FullHttpResponse res = HttpAnswer.error(r.status(), r.reason(), r.message(), head(req));
    if (HttpResponseStatus.UNAUTHORIZED.equals(r.status())) {
      res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"hark\"");
    } else if (!HttpResponseStatus.FORBIDDEN.equals(r.status())) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
    }
    closeAfter(ctx, res);
  }

  private void ready(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (controller.admission().accepting()) {
      text(ctx, req, HttpResponseStatus.OK, "ready\n");
    } else {
      text(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, controller.admission().refusal() + "\n");
    }
  }

  private void text(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body) {
    answer(ctx, req, HttpAnswer.of(status, body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8",
        head(req)));
  }

  private void answer(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
    if (!HttpUtil.isKeepAlive(req)) {
      closeAfter(ctx, res);
      return;
    }
    HttpUtil.setKeepAlive(res, true);
    unsentAnswers++;
    ctx.writeAndFlush(res).addListener(f -> unsentAnswers--);
  }

  private static void closeAfter(ChannelHandlerContext ctx, FullHttpResponse res) {
    HttpUtil.setKeepAlive(res, false);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  private static boolean head(FullHttpRequest req) {
    return HttpMethod.HEAD.equals(req.method());
  }
}
