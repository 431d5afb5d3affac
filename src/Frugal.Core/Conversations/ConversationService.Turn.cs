using System.Text;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Scheduling;

namespace Frugal.Conversations;

public sealed partial class ConversationService
{
    /// <summary>The state of one send between its admission and its stored reply.</summary>
    private sealed class Turn(ConversationService service, string ownerId, string sessionId, int omittedMessages, IInferenceEngine engine)
    {
        private bool _admitted;
        private bool _stored;
        private Exception? _failure;

        public StringBuilder Reply { get; } = new();

        public GenerationStats? Stats { get; set; }

        /// <summary>What the memory governor did to this turn, when it is in front of the scheduler.</summary>
        public MemoryNotice? Memory { get; set; }

        /// <summary>Messages left out: by the history window for lack of room, and by the governor's trim under pressure.</summary>
        public int OmittedMessages => omittedMessages + (Memory?.DroppedMessages ?? 0);

        /// <summary>The first step of the scheduler: a full queue takes the user's message back, so the refused turn leaves no trace.</summary>
        public async Task<bool> AdmitAsync(IAsyncEnumerator<ScheduledUpdate> updates, StoredMessage userMessage)
        {
            try
            {
                var more = await updates.MoveNextAsync().ConfigureAwait(false);
                _admitted = true;
                return more;
            }
            catch (Exception e) when (e is QueueFullException or EngineNotReadyException)
            {
                await service._store.DeleteMessageAsync(ownerId, sessionId, userMessage.Id, CancellationToken.None).ConfigureAwait(false);
                service._quotas.Removed(ownerId);
                ConversationLog.QueueFull(service._logger, sessionId);
                throw;
            }
            catch (Exception e)
            {
                _admitted = true;
                _failure = e;
                throw;
            }
        }

        public async Task<bool> NextAsync(IAsyncEnumerator<ScheduledUpdate> updates)
        {
            try
            {
                return await updates.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _failure = e;
                throw;
            }
        }

        public async Task<ConversationReply> CompleteAsync()
        {
            if (Stats is not { } stats)
            {
                var failure = new InvalidOperationException("The generation ended without its final figures.");
                _failure = failure;
                throw failure;
            }

            var message = await StoreAsync(
                FinishReasonName(stats.FinishReason),
                stats.FinishReason == FinishReason.Cancelled ? MessageStatus.Partial : MessageStatus.Complete,
                stats.CompletionTokens).ConfigureAwait(false);
            ConversationLog.ReplyStored(service._logger, sessionId, message.FinishReason ?? "", stats.CompletionTokens, OmittedMessages);
            return new ConversationReply(message, stats, OmittedMessages) { Memory = Memory };
        }

        /// <summary>Stores what was produced when the send ended any other way than <see cref="CompleteAsync"/>.</summary>
        public async Task StoreUnfinishedAsync(bool cancelled)
        {
            if (!_admitted || _stored)
            {
                return;
            }

            var failed = _failure is not null && !(_failure is OperationCanceledException && cancelled);
            if (failed)
            {
                ConversationLog.GenerationFailed(service._logger, sessionId, _failure!);
            }

            var text = Reply.ToString();
            await StoreAsync(failed ? "error" : "cancelled", failed ? MessageStatus.Failed : MessageStatus.Partial,
                text.Length == 0 ? 0 : engine.CountTokens(text)).ConfigureAwait(false);
        }

        private async Task<StoredMessage> StoreAsync(string finishReason, MessageStatus status, int tokenCount)
        {
            _stored = true;
            // Never the caller's token: a reply must be stored also after its client went away.
            var message = await service._store.AddMessageAsync(ownerId, sessionId, new NewMessage
            {
                Role = ChatRole.Assistant,
                Content = Reply.ToString(),
                TokenCount = tokenCount,
                FinishReason = finishReason,
                Status = status,
            }, CancellationToken.None).ConfigureAwait(false);
            service._quotas.Added(ownerId, 0, 1, OwnerQuotas.Bytes(message?.Content));
            return message ?? throw new SessionNotFoundException($"Session '{sessionId}' was deleted during the reply.");
        }
    }
}
