package dev.hark.testing;

import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Sessions that connect at the same moment: those taken, and the HTTP status of each upgrade refused.
 *
 * @param taken the clients whose upgrade succeeded
 * @param refused the status of every refused upgrade
 */
public record Burst(List<WsClient> taken, List<Integer> refused) {
  /** Opens {@code n} connections at once with {@code connect}, each on a thread of its own. */
  public static Burst of(int n, Supplier<WsClient> connect) {
    List<CompletableFuture<WsClient>> tries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tries.add(CompletableFuture.supplyAsync(connect));
    }
    List<WsClient> taken = new ArrayList<>();
    List<Integer> refused = new ArrayList<>();
    for (CompletableFuture<WsClient> t : tries) {
      try {
        taken.add(t.join());
      } catch (CompletionException e) {
        if (!(e.getCause() instanceof WebSocketHandshakeException h)) {
          throw e;
        }
        refused.add(h.getResponse().statusCode());
      }
    }
    return new Burst(taken, refused);
  }
}
