package dev.hark.server;

import dev.hark.metrics.HarkMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Gathers a request and its body, at most {@link HttpLimits#MAX_BODY_BYTES} of it; a larger body is answered with
 * 413 in Hark's error shape (Netty's own answer has another), counted, and the connection closed.
 */
final class BoundedHttpAggregator extends HttpObjectAggregator {
  private final HarkMetrics metrics;

  BoundedHttpAggregator(HarkMetrics metrics) {
    super(HttpLimits.MAX_BODY_BYTES);
    this.metrics = metrics;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    HttpError e = HttpError.BODY_TOO_LARGE;
    metrics.httpRequestRejected(e.code());
    FullHttpResponse res = HttpAnswer.error(e.status(), e.code(), e.message(), false);
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }
}
