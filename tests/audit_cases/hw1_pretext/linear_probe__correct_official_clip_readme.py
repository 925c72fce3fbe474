# audit: task=linear_probe expect=full
# The linear-probe recipe of OpenAI's CLIP README ("Linear-probe evaluation"): get_features under
# torch.no_grad() concatenating features and labels, then scikit-learn's
# LogisticRegression(random_state=0, C=0.316, max_iter=1000) and np.mean(test_labels == predictions).
# Adapted: `encoder(x)` for model.encode_image, eval mode set and every module's mode restored (CLIP's
# model is loaded in eval mode), tensors instead of numpy arrays out of get_features, int64 labels,
# and the accuracy as a fraction (the README prints a percentage: * 100.).
import numpy as np
from sklearn.linear_model import LogisticRegression


def extract_features(encoder, loader):
    modes = {module: module.training for module in encoder.modules()}
    encoder.eval()
    all_features = []
    all_labels = []
    with torch.no_grad():
        for images, labels in loader:
            features = encoder(images)
            all_features.append(features)
            all_labels.append(labels.long())
    for module, training in modes.items():
        module.train(training)
    return torch.cat(all_features), torch.cat(all_labels)


def linear_probe_accuracy(train_features, train_labels, test_features, test_labels):
    classifier = LogisticRegression(random_state=0, C=0.316, max_iter=1000)
    classifier.fit(train_features.numpy(), train_labels.numpy())
    predictions = classifier.predict(test_features.numpy())
    return float(np.mean((test_labels.numpy() == predictions).astype(float)))
