namespace Frugal.Conversations;

/// <summary>What to change in a session: only the fields that are set (a field set to null clears it).</summary>
public sealed record SessionChanges
{
    private readonly string? _title;
    private readonly string? _systemPrompt;
    private readonly ChatSettings? _settings;

    /// <summary>The new title.</summary>
    public string? Title
    {
        get => _title;
        init
        {
            _title = value;
            HasTitle = true;
        }
    }

    /// <summary>The new system prompt.</summary>
    public string? SystemPrompt
    {
        get => _systemPrompt;
        init
        {
            _systemPrompt = value;
            HasSystemPrompt = true;
        }
    }

    /// <summary>The new sampling settings, replacing the old ones whole (null: the defaults).</summary>
    public ChatSettings? Settings
    {
        get => _settings;
        init
        {
            _settings = value;
            HasSettings = true;
        }
    }

    /// <summary>True when <see cref="Title"/> was set.</summary>
    public bool HasTitle { get; private init; }

    /// <summary>True when <see cref="SystemPrompt"/> was set.</summary>
    public bool HasSystemPrompt { get; private init; }

    /// <summary>True when <see cref="Settings"/> was set.</summary>
    public bool HasSettings { get; private init; }
}
