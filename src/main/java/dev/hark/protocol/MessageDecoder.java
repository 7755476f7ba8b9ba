package dev.hark.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns client frames into {@link ClientMessage}s or typed {@link ProtocolError}s, never throwing on bad input.
 * Text frames are scanned with Jackson's streaming parser; {@code data} is Base64-decoded straight from the
 * frame's bytes, since Jackson's own binary decoding is about a hundred times slower.
 */
public final class MessageDecoder {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Base64.Decoder BASE64 = Base64.getDecoder();
  /** The largest {@code seq}: 2^53-1, the largest whole number every JSON client holds exactly. */
  public static final long MAX_SEQ = (1L << 53) - 1;
  private static final ProtocolError SEQ_RANGE = new ProtocolError(ErrorCode.BAD_MESSAGE,
      "seq must be a whole number from 0 to " + MAX_SEQ);
  /** The sample rates Hark takes, in Hz. */
  public static final int MIN_SAMPLE_RATE = 8000;
  public static final int MAX_SAMPLE_RATE = 48000;
  private static final ProtocolError SAMPLE_RATE_RANGE = new ProtocolError(ErrorCode.BAD_SAMPLE_RATE,
      "sample_rate must be a whole number of Hz from " + MIN_SAMPLE_RATE + " to " + MAX_SAMPLE_RATE);

  private MessageDecoder() {}

  /** Decodes one text frame held in {@code buf[0, len)}. */
  public static Decoded decodeText(byte[] buf, int len) {
    Fields f = new Fields();
    try (JsonParser p = JSON.createParser(buf, 0, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new ProtocolError(ErrorCode.BAD_JSON, "a message must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        ProtocolError err = f.read(name, value, p, buf, len);
        if (err != null) {
          return err;
        }
      }
      if (p.nextToken() != null) {
        return new ProtocolError(ErrorCode.BAD_JSON, "unexpected data after the JSON object");
      }
    } catch (JsonProcessingException e) {
      return new ProtocolError(ErrorCode.BAD_JSON, "invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      // A byte array cannot fail to read; anything here is still the client's malformed input.
      return new ProtocolError(ErrorCode.BAD_JSON, "invalid JSON: " + e.getMessage());
    }
    return f.toMessage(buf);
  }

  /** Decodes one binary frame: a source index byte followed by raw PCM16. */
  public static Decoded decodeBinary(byte[] frame) {
    ProtocolError e = binaryFrameError(frame.length);
    if (e != null) {
      return e;
    }
    byte[] pcm = new byte[frame.length - 1];
    System.arraycopy(frame, 1, pcm, 0, pcm.length);
    return new ClientMessage.BinaryAudio(frame[0] & 0xff, pcm);
  }

  /**
   * Why a binary frame of {@code frameBytes} bytes cannot be audio, or null if it can; lets a caller holding the
   * frame in its own buffer copy the PCM out once, straight into the chunk.
   */
  public static ProtocolError binaryFrameError(int frameBytes) {
    if (frameBytes < 2) {
      return new ProtocolError(ErrorCode.BAD_AUDIO, "a binary frame needs a source index byte and at least one sample");
    }
    return (frameBytes - 1) % 2 != 0 ? oddBytes(frameBytes - 1) : null;
  }

  static ProtocolError oddBytes(int n) {
    return new ProtocolError(ErrorCode.BAD_AUDIO, "PCM16 audio needs an even number of bytes, got " + n);
  }

  /** Decodes the Base64 in {@code buf[from, to)} into PCM bytes, or says why it cannot. */
  static Decoded decodeAudio(String source, byte[] buf, int from, int to, long seq) {
    if (to == from) {
      return new ProtocolError(ErrorCode.BAD_AUDIO, "data is empty");
    }
    ByteBuffer decoded;
    try {
      decoded = BASE64.decode(ByteBuffer.wrap(buf, from, to - from));
    } catch (IllegalArgumentException e) {
      return new ProtocolError(ErrorCode.BAD_BASE64, "data is not valid Base64: " + e.getMessage());
    }
    int n = decoded.remaining();
    if (n == 0) {
      return new ProtocolError(ErrorCode.BAD_AUDIO, "data decodes to no bytes");
    }
    if (n % 2 != 0) {
      return oddBytes(n);
    }
    byte[] pcm = decoded.array();
    if (pcm.length != n) {
      // The JDK sizes its output before it knows the padding; trim so a chunk's length is its audio.
      pcm = Arrays.copyOf(pcm, n);
    }
    return new ClientMessage.Audio(source, pcm, seq);
  }

  /** The fields of one message as they are read, in whatever order the client wrote them. */
  private static final class Fields {
    String type;
    String source;
    JsonToken dataToken;
    int dataFrom = -1;
    int dataTo = -1;
    String escapedData;
    long seq = -1;
    Integer sampleRate;
    List<String> sources;
    Map<String, Integer> priority;
    String overflow;
    ClientMessage.Resume resume;

    ProtocolError read(String name, JsonToken value, JsonParser p, byte[] buf, int len) throws IOException {
      switch (name) {
        case "type" -> {
          if (value != JsonToken.VALUE_STRING) {
            return wrongType("type", "a string");
          }
          type = p.getText();
        }
        case "source" -> {
          if (value != JsonToken.VALUE_STRING) {
            return wrongType("source", "a string");
          }
          source = p.getText();
        }
        case "data" -> {
          dataToken = value;
          if (value == JsonToken.VALUE_STRING) {
            locateData(p, buf, len);
          } else {
            p.skipChildren(); // an array or object: its fields are not this message's
          }
        }
        case "seq" -> {
          if (value != JsonToken.VALUE_NUMBER_INT) {
            return wrongType("seq", "a whole number");
          }
          if (p.getNumberType() != JsonParser.NumberType.INT && p.getNumberType() != JsonParser.NumberType.LONG) {
            return SEQ_RANGE;
          }
          seq = p.getLongValue();
          if (seq < 0 || seq > MAX_SEQ) {
            return SEQ_RANGE;
          }
        }
        case "sample_rate" -> {
          if (value != JsonToken.VALUE_NUMBER_INT) {
            p.skipChildren();
            return SAMPLE_RATE_RANGE;
          }
          // Only a number that fits an int is read; a longer one is out of range without being repeated back.
          if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < MIN_SAMPLE_RATE
              || p.getIntValue() > MAX_SAMPLE_RATE) {
            return SAMPLE_RATE_RANGE;
          }
          sampleRate = p.getIntValue();
        }
        case "sources" -> {
          sources = new ArrayList<>();
          return SourceFields.sources(value, p, sources);
        }
        case "priority" -> {
          priority = new HashMap<>();
          return SourceFields.priority(value, p, priority);
        }
        case "resume" -> {
          resume = ResumeField.read(value, p);
          if (resume == null) {
            return ResumeField.BAD;
          }
        }
        case "overflow" -> {
          if (value != JsonToken.VALUE_STRING) {
            return new ProtocolError(ErrorCode.BAD_OVERFLOW, "overflow must be drop_oldest, drop_newest or block");
          }
          overflow = p.getText();
        }
        default -> p.skipChildren();
      }
      return null;
    }

    /** Finds the raw bytes of the data string; Base64 needs no escapes, so a backslash means the slow path. */
    private void locateData(JsonParser p, byte[] buf, int len) throws IOException {
      int at = (int) p.currentTokenLocation().getByteOffset();
      if (at < 0 || at >= len || buf[at] != '"') {
        escapedData = p.getText();
        return;
      }
      int from = at + 1;
      for (int i = from; i < len; i++) {
        byte b = buf[i];
        if (b == '"') {
          dataFrom = from;
          dataTo = i;
          return;
        }
        if (b == '\\') {
          break;
        }
      }
      escapedData = p.getText();
    }

    Decoded toMessage(byte[] buf) {
      if (type == null) {
        return new ProtocolError(ErrorCode.BAD_MESSAGE, "type is missing");
      }
      return switch (type) {
        case "audio" -> audio(buf);
        case "start" -> start();
        case "stop" -> ClientMessage.STOP;
        case "ping" -> ClientMessage.PING;
        case "flush" -> flush();
        default -> new ProtocolError(ErrorCode.UNKNOWN_TYPE,
            "unknown type \"" + SourceName.abbreviate(type) + "\"; expected start, audio, flush, stop or ping");
      };
    }

    private Decoded audio(byte[] buf) {
      String src = source == null ? SourceName.DEFAULT : source;
      if (!SourceName.isValid(src)) {
        return SourceName.invalid(src);
      }
      if (dataToken == null) {
        return new ProtocolError(ErrorCode.BAD_AUDIO, "data is missing");
      }
      if (dataToken != JsonToken.VALUE_STRING) {
        return new ProtocolError(ErrorCode.BAD_AUDIO, "data must be a Base64 string");
      }
      if (escapedData != null) {
        byte[] ascii = escapedData.getBytes(StandardCharsets.ISO_8859_1);
        return decodeAudio(src, ascii, 0, ascii.length, seq);
      }
      return decodeAudio(src, buf, dataFrom, dataTo, seq);
    }

    private Decoded flush() {
      if (source != null && !SourceName.isValid(source)) {
        return SourceName.invalid(source);
      }
      return new ClientMessage.Flush(source);
    }

    private Decoded start() {
      OverflowPolicy policy = null;
      if (overflow != null) {
        policy = OverflowPolicy.fromWire(overflow);
        if (policy == null) {
          return new ProtocolError(ErrorCode.BAD_OVERFLOW,
              "overflow must be drop_oldest, drop_newest or block, got \"" + SourceName.abbreviate(overflow) + "\"");
        }
      }
      return new ClientMessage.Start(sampleRate, sources == null ? null : List.copyOf(sources), policy, priority,
          resume);
    }

    private static ProtocolError wrongType(String field, String expected) {
      return new ProtocolError(ErrorCode.BAD_MESSAGE, field + " must be " + expected);
    }
  }
}
