namespace Frugal.Inference;

/// <summary>
/// A grammar in llama.cpp's GBNF that every reply token must follow (constrained decoding). Only grammars
/// Frugal writes itself reach the engine (<see cref="Grammars.JsonSchemaGrammar"/>): llama.cpp cannot report a
/// grammar it fails to parse safely, so callers never send GBNF text of their own.
/// </summary>
/// <param name="Text">The rules, one per line (<c>name ::= ...</c>).</param>
/// <param name="Root">The rule the whole reply must match.</param>
public sealed record GbnfGrammar(string Text, string Root = "root");
