using System.ComponentModel.DataAnnotations;

namespace Frugal.Cli.Configuration;

/// <summary>
/// Where <c>frugal</c> keeps its data (configuration section <c>Storage</c>): the data directory (<c>--data</c>)
/// and the database (<c>--database</c>), a SQLite file by default. The CLI chooses the store from
/// <see cref="Database"/>; the server only sees the store's services.
/// </summary>
internal sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    public const string DefaultDirectory = "./data";

    /// <summary>The data directory: the database file by default, and kept KV states under <c>kv/</c>.</summary>
    public string Directory { get; set; } = DefaultDirectory;

    /// <summary>The database: a file path, <c>sqlite:PATH</c> or <c>postgres://USER@HOST:PORT/DB</c>; empty: <c>{Directory}/frugal.db</c>.</summary>
    public string? Database { get; set; }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            yield return new ValidationResult("Storage:Directory must name a directory.", [nameof(Directory)]);
        }
        else if (!DatabaseLocation.TryParse(Database, Directory, out _, out var problem))
        {
            yield return new ValidationResult(problem, [nameof(Database)]);
        }
    }
}
