package dev.hark.testing;

import java.util.List;
import org.quicktheories.QuickTheory;
import org.quicktheories.api.AsString;
import org.quicktheories.core.ExceptionReporter;
import org.quicktheories.core.Gen;
import org.quicktheories.core.Reporter;
import org.quicktheories.generators.Lists;
import org.quicktheories.generators.SourceDSL;

/**
 * The project's QuickTheories defaults, so every property test runs, reports and reproduces the same way. A property
 * is a plain JUnit {@code @Test} that starts from {@link #qt(int)}:
 *
 * <pre>{@code
 * @Test
 * void budgetNeverGoesNegative() {
 *   Theories.qt(200)
 *       .forAll(Theories.listsOf(Generate.range(0, 2), 1, 300), Generate.enumValues(OverflowPolicy.class))
 *       .checkAssert((steps, policy) -> { ... assertThat(...) ... });
 * }
 * }</pre>
 *
 * <p>What it sets:
 *
 * <ul>
 *   <li><b>Seed.</b> {@code -Dhark.seed=N} (on the Maven command line; Surefire passes it to the test JVM) runs
 *       every property with seed {@code N}. Without it every run uses {@link #DEFAULT_SEED}, so CI on a fresh
 *       clone sees the same examples every time (a property that failed one run in ten would cost a whole
 *       submission); to explore further, run with other seeds by hand. A falsified property's message ends with
 *       its seed and the flag that replays it, e.g. {@code ./mvnw -Dtest=QueueProperties -Dhark.seed=N verify}:
 *       the same seed gives the same examples.
 *   <li><b>Examples.</b> {@link #qt(int)} takes the number of examples (generated cases) per property;
 *       {@link #qt()} uses {@link #DEFAULT_EXAMPLES}. QuickTheories first tries every generator at its shrink
 *       target, then all at their minimum, then all at their maximum, then random values; a repeat is not run again.
 *   <li><b>Shrinking.</b> At most {@link #SHRINK_CYCLES} runs of the property to shrink a failure (QuickTheories'
 *       own default is a hundred per example, minutes for a property that replays hundreds of steps). Generators
 *       built from {@code Generate}/{@code SourceDSL} shrink on their own: ranges toward their lower bound (or 0 if
 *       inside), {@code Generate.frequency} toward its first choice, lists from {@link #listsOf} toward shorter.
 * </ul>
 *
 * <p>Anything else QuickTheories offers ({@code withExamples}, {@code withShrinkCycles}, {@code withTestingTime})
 * can still be chained on the returned {@link QuickTheory}; a chained {@code withFixedSeed} overrides
 * {@code hark.seed}.
 */
public final class Theories {
  /** The system property that fixes the seed: {@code -Dhark.seed=N}. */
  public static final String SEED_PROPERTY = "hark.seed";
  /** Examples per property when {@link #qt()} is used. */
  public static final int DEFAULT_EXAMPLES = 100;
  /** At most this many runs of the property go to shrinking a failure. */
  public static final int SHRINK_CYCLES = 1_000;

  /** The seed of every run without {@code -Dhark.seed}. */
  public static final long DEFAULT_SEED = 20_261_203L;

  private Theories() {}

  /** {@link #qt(int)} with {@link #DEFAULT_EXAMPLES}. */
  public static QuickTheory qt() {
    return qt(DEFAULT_EXAMPLES);
  }

  /** A QuickTheories runner with the project's seed, {@code examples} examples and bounded shrinking. */
  public static QuickTheory qt(int examples) {
    return QuickTheory.qt()
        .withFixedSeed(seed())
        .withExamples(examples)
        .withShrinkCycles(SHRINK_CYCLES)
        .withReporter(new SeedReporter());
  }

  /** The seed properties run with: {@code -Dhark.seed} if set, else {@link #DEFAULT_SEED}. */
  public static long seed() {
    String fixed = System.getProperty(SEED_PROPERTY);
    if (fixed == null || fixed.isBlank()) {
      return DEFAULT_SEED;
    }
    try {
      return Long.parseLong(fixed.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + SEED_PROPERTY + " is not a long: " + fixed, e);
    }
  }

  /**
   * Lists of {@code items}, {@code minSize} to {@code maxSize} long (both inclusive), always
   * {@link java.util.ArrayList}s (QuickTheories' own list generator mixes in {@link java.util.LinkedList}s); they
   * shrink toward {@code minSize} and their items toward each item's shrink target.
   */
  public static <T> Gen<List<T>> listsOf(Gen<T> items, int minSize, int maxSize) {
    return SourceDSL.lists().of(items).ofType(Lists.<T, List<T>>arrayList()).ofSizeBetween(minSize, maxSize);
  }

  /** QuickTheories' report of a falsified property, with the flag that replays its seed. */
  private static final class SeedReporter implements Reporter {
    private final Reporter delegate = new ExceptionReporter();

    @Override
    public void falisification(long seed, int examplesUsed, Object smallest, Throwable cause, List<Object> examples,
        AsString<Object> toString) {
      try {
        delegate.falisification(seed, examplesUsed, smallest, cause, examples, toString);
      } catch (AssertionError e) {
        throw replayable(e, seed);
      }
    }

    @Override
    public void falisification(long seed, int examplesUsed, Object smallest, List<Object> examples,
        AsString<Object> toString) {
      try {
        delegate.falisification(seed, examplesUsed, smallest, examples, toString);
      } catch (AssertionError e) {
        throw replayable(e, seed);
      }
    }

    @Override
    public void valuesExhausted(int completedExamples) {
      delegate.valuesExhausted(completedExamples);
    }

    private static AssertionError replayable(AssertionError e, long seed) {
      return new AssertionError(e.getMessage() + System.lineSeparator() + "Replay with -D" + SEED_PROPERTY + "="
          + seed + " (e.g. ./mvnw -Dtest=<the test class> -D" + SEED_PROPERTY + "=" + seed + " verify)", e.getCause());
    }
  }
}
