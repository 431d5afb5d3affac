using Frugal.Inference;

namespace Frugal.Server.Endpoints;

/// <summary>A chat completion request that passed every check: what to generate and how to answer.</summary>
internal sealed record ValidChatRequest(GenerationRequest Generation, bool Stream, bool IncludeUsage, int PromptTokens);
