using System.Text;
using LLama;
using LLama.Native;

namespace Frugal.Inference;

public sealed partial class LlamaEngine
{
    private readonly ReplyTokenMemory _replies = new(ReplyTokenMemory.DefaultBudgetBytes);

    /// <summary>
    /// Remembers the ids that spell <paramref name="reply"/> (the text the caller received) as the model
    /// generated it: the shortest prefix of <paramref name="generated"/> that decodes to exactly that text.
    /// Nothing is remembered when no prefix does (the text was cut inside a token).
    /// </summary>
    private void RememberReply(string reply, List<int> generated)
    {
        if (reply.Length == 0 || generated.Count == 0)
        {
            return;
        }

        var decoder = new StreamingTokenDecoder(Encoding.UTF8, _model);
        var text = new StringBuilder(reply.Length + 16);
        var vocab = _model.Vocab;
        for (var i = 0; i < generated.Count; i++)
        {
            if (((LLamaToken)generated[i]).IsControl(vocab))
            {
                // A control token (an end of turn the caller let through, say) is never put back into a
                // prompt by id: the reply is spelled as text then.
                return;
            }

            decoder.Add(generated[i]);
            text.Append(decoder.Read());
            if (text.Length > reply.Length)
            {
                return;
            }

            if (text.Length == reply.Length)
            {
                if (text.Equals(reply.AsSpan()))
                {
                    _replies.Remember(reply, [.. generated.GetRange(0, i + 1)]);
                }

                return;
            }
        }
    }

    /// <summary>Bytes held by the memory of recent replies' token ids (for tests and diagnostics).</summary>
    internal long ReplyMemoryBytes => _replies.Bytes;
}
