namespace Frugal.Server.Contracts;

/// <summary>One model in <see cref="ModelList"/>; <c>created</c> is the model file's modification time.</summary>
public sealed record ModelEntry(string Id, long Created, string OwnedBy)
{
    public string Object => "model";
}
