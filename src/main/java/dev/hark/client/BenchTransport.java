package dev.hark.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's sockets: a Netty client whose sessions each live on one event loop, where they are paced,
 * written and read without hand-offs. The JDK's WebSocket client re-encodes every text message char by char and
 * writes each alone, ~15 µs of CPU a frame; this writes shared pre-encoded frames, a flush per tick.
 */
final class BenchTransport implements AutoCloseable {
  private static final int MAX_MESSAGE = 1 << 20;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final URI url;
  private final HttpHeaders headers = new DefaultHttpHeaders();

  BenchTransport(URI url, int sessions, String token) {
    if (token != null && !token.isBlank()) {
      headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token.strip());
    }
    if (!"ws".equals(url.getScheme())) {
      throw new IllegalArgumentException("hark bench speaks ws:// only, got " + url);
    }
    this.url = url;
    boolean uring = IoUring.isAvailable() && !Boolean.getBoolean("hark.bench.epoll");
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = uring ? IoUringIoHandler.newFactory() : epoll ? EpollIoHandler.newFactory()
        : NioIoHandler.newFactory();
    int threads = Math.min(Math.max(1, sessions / 100), Runtime.getRuntime().availableProcessors());
    group = new MultiThreadIoEventLoopGroup(threads, io);
    bootstrap = new Bootstrap().group(group)
        .channel(uring ? IoUringSocketChannel.class : epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
        .remoteAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
  }

  /** Opens {@code session}'s connection after {@code delayNanos}; its handshake and start follow on its loop. */
  void connect(BenchSession session, long delayNanos) {
    WebSocketClientProtocolConfig ws = WebSocketClientProtocolConfig.newBuilder()
        .webSocketUri(url)
        .customHeaders(headers)
        .maxFramePayloadLength(MAX_MESSAGE)
        .handshakeTimeoutMillis(10_000)
        .dropPongFrames(true)
        .withUTF8Validator(false)
        .build();
    Bootstrap connection = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
            new WebSocketClientProtocolHandler(ws), new WebSocketFrameAggregator(MAX_MESSAGE), session);
      }
    });
    Runnable open = () -> connection.connect().addListener(f -> {
      if (!f.isSuccess()) {
        session.connectFailed();
      }
    });
    group.schedule(open, delayNanos, TimeUnit.NANOSECONDS).addListener(f -> {
      if (!f.isSuccess() && !f.isCancelled()) {
        session.connectFailed(); // the connect itself threw
      }
    });
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
