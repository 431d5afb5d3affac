using System.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Frugal.Inference;

/// <summary>
/// Sends llama.cpp's log (process-wide in llama.cpp) to an <see cref="ILogger"/> at Debug level instead
/// of stderr, where it would garble a terminal chat. The most recently loaded engine's logger receives it.
/// </summary>
internal static class NativeLogRouter
{
    private static readonly NativeLogConfig.LLamaLogCallback Callback = OnLog;
    private static ILogger s_logger = NullLogger.Instance;
    private static int s_installed;

    [ThreadStatic]
    private static StringBuilder? t_line;

    public static void Attach(ILogger? logger)
    {
        Volatile.Write(ref s_logger, logger ?? NullLogger.Instance);
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            try
            {
                // Before the library loads, LLamaSharp keeps the callback for its load (so the load's own lines
                // are routed too)...
                NativeLogConfig.llama_log_set(Callback);
            }
            catch (InvalidOperationException)
            {
                // ...but another thread (a second engine, a tool) may load it between LLamaSharp's check and
                // its configuration, which then refuses: once loaded, the callback is passed to llama.cpp directly.
                NativeApi.llama_empty_call();
                NativeLogConfig.llama_log_set(Callback);
            }
        }
    }

    private static void OnLog(LLamaLogLevel level, string message)
    {
        var logger = Volatile.Read(ref s_logger);
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        // llama.cpp writes a line in fragments ("Continue" level); log whole lines only.
        var line = t_line ??= new StringBuilder();
        line.Append(message);
        if (!message.EndsWith('\n'))
        {
            return;
        }

        line.Length--;
        EngineLog.NativeMessage(logger, level.ToString(), line.ToString());
        line.Clear();
    }
}
