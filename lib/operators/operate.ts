import { Observable, Subscription, type OperatorFunction, type Subscriber } from 'rxjs';

/** What an operator does with the values of one of its inputs. */
export interface InputHandlers<T> {
  next(value: T): void;
  /** What the input's completion does (see `operate` for the default). */
  complete?(): void;
}

/** What an operator does with its source, and what it releases when unsubscribed. */
export interface Operation<T> extends InputHandlers<T> {
  /** Runs after the inputs are unsubscribed: cancel timers, drop buffers. */
  teardown?(): void;
}

/** Subscribes to a further input of the operator; its errors end the output, its completion is ignored unless handled. */
export type AlsoSubscribe = <U>(input: Observable<U>, handlers: InputHandlers<U>) => void;

/**
 * The shape of every stateful operator here, in the manner of RxJS's own `operate`: `init`
 * runs once per subscription with the output's subscriber and returns what to do with the
 * source's values. An error from the source (or from an input joined with `alsoSubscribe`)
 * errors the output; the source's completion completes it unless `complete` says otherwise.
 * Further inputs are subscribed before the source, in the order `init` joins them, and
 * everything is unsubscribed together.
 */
export function operate<T, R>(init: (subscriber: Subscriber<R>, alsoSubscribe: AlsoSubscribe) => Operation<T>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const inputs = new Subscription();
      const forwardError = (err: unknown): void => subscriber.error(err);
      const alsoSubscribe: AlsoSubscribe = (input, handlers) => {
        inputs.add(
          input.subscribe({
            next: (value) => handlers.next(value),
            error: forwardError,
            complete: () => handlers.complete?.(),
          }),
        );
      };
      const operation = init(subscriber, alsoSubscribe);
      inputs.add(
        source.subscribe({
          next: (value) => operation.next(value),
          error: forwardError,
          complete: () => (operation.complete ? operation.complete() : subscriber.complete()),
        }),
      );
      return () => {
        inputs.unsubscribe();
        operation.teardown?.();
      };
    });
}
