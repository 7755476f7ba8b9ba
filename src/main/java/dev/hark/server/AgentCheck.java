package dev.hark.server;

import dev.hark.ingest.DecodeLedger;
import dev.hark.ingest.SessionAdmission;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * HAProxy's agent check, on a port of its own ({@code --agent-port}): each connection is told one line, how the
 * balancer should weigh this node now, then closed. {@code ready up N%} while it takes sessions, N being its free
 * capacity (the recognizer's capacity not yet promised to streams, from the reservations in its
 * {@link DecodeLedger}, so a burst is spread by what each node has promised and not by what it measured a moment
 * ago; or the free session slots if fewer; at least 1%, since 0% would drain it); {@code drain} while it takes none
 * (recognizer's capacity promised, {@code --max-sessions} reached, shutting down,
 * loading), so it gets no new session while its own go on. A comment after {@code #} says why, for HAProxy's log.
 */
@ChannelHandler.Sharable
final class AgentCheck extends ChannelInboundHandlerAdapter {
  private final Supplier<String> report;

  AgentCheck(Supplier<String> report) {
    this.report = report;
  }

  /** The line for a node with this admission and ledger. */
  static String report(SessionAdmission admission, DecodeLedger ledger, int maxSessions) {
    if (!admission.accepting()) {
      return "drain #" + admission.refusal() + "\n";
    }
    int slots = (int) (100L * (maxSessions - admission.active()) / maxSessions);
    int weight = Math.max(1, Math.min(headroomPercent(ledger), slots));
    return "ready up " + weight + "%\n";
  }

  /** Capacity not promised, in percent of what may be promised. */
  static int headroomPercent(DecodeLedger ledger) {
    return ledger.capacity() <= 0 ? 0 : (int) Math.max(0, 100 * ledger.headroom() / ledger.capacity());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.copiedBuffer(report.get(), StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Connections.close(ctx); // a checker that went away: nothing to tell anyone
  }
}
