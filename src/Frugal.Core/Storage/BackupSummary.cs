namespace Frugal.Storage;

/// <summary>What a backup file holds.</summary>
/// <param name="Path">The backup (or restored) file.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="SchemaVersion">The schema version recorded in it.</param>
/// <param name="Users">Users in it.</param>
/// <param name="Sessions">Sessions in it.</param>
/// <param name="Messages">Messages in it.</param>
/// <param name="KeptAside">Where the replaced database went (restore only).</param>
public sealed record BackupSummary(string Path, long Bytes, int SchemaVersion, long Users, long Sessions, long Messages, string? KeptAside = null);
